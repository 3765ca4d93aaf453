from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("账号")

    def ready(self):
        from accounts import audit_labels
        from portal.lib.audit_labels import register

        register(actions=audit_labels.ACTIONS, fields=audit_labels.FIELDS)
        from django.contrib.auth.signals import user_logged_in

        from accounts import second_factor  # noqa: F401  (connects its user_logged_in receiver)
        from accounts.middleware import on_user_logged_in

        user_logged_in.connect(on_user_logged_in, dispatch_uid="accounts.session_clock")
