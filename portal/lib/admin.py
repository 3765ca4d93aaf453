"""What every ModelAdmin of a person's data shares (the apps' admin.py files use it)."""

from django.contrib import admin
from django.template.response import TemplateResponse

from portal.lib.audit import log_access


class AccessAuditedAdmin(admin.ModelAdmin):
    """For the ModelAdmin of a person's data: an admin opening one in /admin/ leaves the
    same trail as a staff page does (PIPL). Its search must not take ID numbers: a search
    travels in the URL (`?q=`), and so into access logs."""

    def audit_students(self, obj) -> list:
        return [obj]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if (
            request.method == "GET"
            and response.status_code == 200
            and isinstance(response, TemplateResponse)
        ):
            # The object the page showed, as the admin loaded it (not a second query).
            obj = (response.context_data or {}).get("original")
            if obj is not None:
                log_access(
                    request.user,
                    f"{self.opts.app_label}.admin_viewed",
                    obj,
                    students=self.audit_students(obj),
                    request=request,
                )
        return response
