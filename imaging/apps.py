from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImagingConfig(AppConfig):
    name = "imaging"
    verbose_name = _("图像校对")

    def ready(self):
        from imaging import audit_labels
        from portal.lib.audit_labels import register

        register(actions=audit_labels.ACTIONS, fields=audit_labels.FIELDS)
        from accounts.transfer import register_transfer
        from imaging.selectors import record_photo_panels
        from imaging.transfers import move_verifications
        from records.panels import register_record_panel

        register_transfer(move_verifications)
        # The 图像校对 block of the 学籍信息 page and of a record's page.
        register_record_panel(record_photo_panels)
