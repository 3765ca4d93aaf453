from django.contrib import admin

from notices import models
from notices.feedback import row_students, rows_of_sheet
from portal.lib.admin import AccessAuditedAdmin


class AudienceInline(admin.TabularInline):
    model = models.NoticeAudience
    extra = 0


class ContactInline(admin.TabularInline):
    model = models.NoticeContact
    extra = 0


class AttachmentInline(admin.TabularInline):
    """Attachments are uploaded through the registrar's page, where they are checked."""

    model = models.NoticeAttachment
    extra = 0
    fields = ("title", "extension", "content_type", "size", "is_public")
    readonly_fields = ("title", "extension", "content_type", "size")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "institution", "task", "state", "window_end")
    list_filter = ("state", "task", "institution")
    search_fields = ("number", "title")
    inlines = [AudienceInline, ContactInline, AttachmentInline]
    raw_id_fields = ("created_by",)


@admin.register(models.FeedbackSheet)
class FeedbackSheetAdmin(AccessAuditedAdmin, admin.ModelAdmin):
    list_display = ("notice", "school_class", "counselor_signed_at", "leader_signed_at")
    raw_id_fields = ("notice", "school_class", "counselor_signed_by", "leader_signed_by")

    def audit_students(self, obj) -> list:
        """The students the sheet lists (as signed, or as they stand)."""
        return row_students(rows_of_sheet(obj))


@admin.register(models.Reminder)
class ReminderAdmin(AccessAuditedAdmin, admin.ModelAdmin):
    """The log of reminders sent: read-only."""

    list_display = ("topic", "notice", "user", "day", "channels", "sent_by", "sent_at")
    list_filter = ("topic", "day", "channels")
    raw_id_fields = ("notice", "record", "user", "sent_by")

    def audit_students(self, obj) -> list:
        return [obj.record]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
