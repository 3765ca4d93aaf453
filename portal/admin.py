from django.contrib import admin

from portal.lib.models import AuditEvent, Job


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only for everyone, admins included."""

    list_display = ("created_at", "actor_label", "action", "target_label", "reason")
    list_filter = ("action", "institution")
    search_fields = ("target_label", "actor_label", "target_id")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "owner", "state", "done", "total", "created_at")
    list_filter = ("state", "kind")
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request):
        return False
