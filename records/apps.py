from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = _("学籍学历")

    def ready(self):
        from accounts.transfer import register_transfer
        from records.transfers import move_records

        register_transfer(move_records)
