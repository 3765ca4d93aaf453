from django.contrib import admin

from portal.audit import log_access
from portal.models import AuditEvent, Job


class AccessAuditedAdmin:
    """For the ModelAdmin of a person's data: an admin opening one in /admin/ leaves the
    same trail as a staff page does (PIPL). Its search must not take ID numbers: a search
    travels in the URL (`?q=`), and so into access logs."""

    def audit_students(self, obj) -> list:
        return [obj]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            # The object the page showed, as the admin loaded it (not a second query).
            obj = response.context_data.get("original")
            if obj is not None:
                log_access(
                    request.user,
                    f"{self.opts.app_label}.admin_viewed",
                    obj,
                    students=self.audit_students(obj),
                    request=request,
                )
        return response


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
