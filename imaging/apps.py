from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImagingConfig(AppConfig):
    name = "imaging"
    verbose_name = _("图像校对")

    def ready(self):
        from accounts.transfer import register_transfer
        from imaging.transfers import move_verifications

        register_transfer(move_verifications)
