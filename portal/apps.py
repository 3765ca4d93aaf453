from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("门户")

    def ready(self) -> None:
        from portal import audit_labels
        from portal.lib.audit_labels import register

        register(actions=audit_labels.ACTIONS, fields=audit_labels.FIELDS)
        checks.register(check_defusedxml, checks.Tags.security)


def check_defusedxml(app_configs, **kwargs):
    """openpyxl parses .xlsx safely only when defusedxml is installed (docs/security.md)."""
    from openpyxl.xml import DEFUSEDXML

    if DEFUSEDXML:
        return []
    return [
        checks.Error(
            "openpyxl is not using defusedxml: uploaded spreadsheets could carry XML bombs.",
            hint="pip install defusedxml",
            id="portal.E001",
        )
    ]
