from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("通知与反馈表")

    def ready(self):
        from accounts.transfer import register_transfer
        from notices.transfers import move_reminders

        register_transfer(move_reminders)
