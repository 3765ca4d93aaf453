from django.contrib import admin

from imaging import models
from portal.lib.admin import AccessAuditedAdmin


@admin.register(models.Photo)
class PhotoAdmin(AccessAuditedAdmin, admin.ModelAdmin):
    list_display = ("record", "kind", "state", "is_current", "created_at")
    list_filter = ("kind", "state", "is_current")
    search_fields = ("record__student_number", "record__name")
    raw_id_fields = ("record", "batch")
    exclude = ("image", "thumbnail")
    readonly_fields = ("token", "width", "height", "sha256")

    def audit_students(self, obj) -> list:
        return [obj.record]


class PhotoBatchEntryInline(admin.TabularInline):
    """The import report, file by file: written by the import, read here."""

    model = models.PhotoBatchEntry
    # The file name is the student's ID number: stored masked by the import.
    fields = ("position", "name", "outcome", "reason", "record", "photo")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.PhotoBatch)
class PhotoBatchAdmin(AccessAuditedAdmin, admin.ModelAdmin):
    list_display = ("source", "kind", "institution", "uploaded_by", "created_at")
    list_filter = ("kind", "institution")
    readonly_fields = ("report",)
    inlines = [PhotoBatchEntryInline]

    def audit_students(self, obj) -> list:
        """The students whose files the batch's report lists."""
        entries = obj.entries.exclude(record=None).select_related("record")
        return [entry.record for entry in entries.only("record__id", "record__user_id")]


@admin.register(models.PhotoVerification)
class PhotoVerificationAdmin(AccessAuditedAdmin, admin.ModelAdmin):
    list_display = ("photo", "result", "reason", "rating", "created_at", "rated_at")
    list_filter = ("result", "reason", "rating")
    raw_id_fields = ("photo", "user")

    def audit_students(self, obj) -> list:
        return [obj.photo.record]


@admin.register(models.CollectionUnit)
class CollectionUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "province", "phone")
    list_filter = ("province",)
    search_fields = ("name", "address")
