from django.contrib import admin

from imaging import models


@admin.register(models.Photo)
class PhotoAdmin(admin.ModelAdmin):
    list_display = ("record", "kind", "state", "is_current", "created_at")
    list_filter = ("kind", "state", "is_current")
    search_fields = ("record__student_number", "record__name")
    raw_id_fields = ("record", "batch")
    exclude = ("image", "thumbnail")
    readonly_fields = ("token", "width", "height", "sha256")


class PhotoBatchEntryInline(admin.TabularInline):
    """The import report, file by file: written by the import, read here."""

    model = models.PhotoBatchEntry
    fields = ("position", "name", "outcome", "reason", "record", "photo")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.PhotoBatch)
class PhotoBatchAdmin(admin.ModelAdmin):
    list_display = ("source", "kind", "institution", "uploaded_by", "created_at")
    list_filter = ("kind", "institution")
    readonly_fields = ("report",)
    inlines = [PhotoBatchEntryInline]


@admin.register(models.PhotoVerification)
class PhotoVerificationAdmin(admin.ModelAdmin):
    list_display = ("photo", "result", "reason", "rating", "created_at", "rated_at")
    list_filter = ("result", "reason", "rating")
    raw_id_fields = ("photo", "user")


@admin.register(models.CollectionUnit)
class CollectionUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "province", "phone")
    list_filter = ("province",)
    search_fields = ("name", "address")
