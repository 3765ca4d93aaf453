from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("通知与反馈表")

    def ready(self):
        from notices import audit_labels
        from portal.lib.audit_labels import register

        register(actions=audit_labels.ACTIONS, fields=audit_labels.FIELDS)
        from accounts.transfer import register_transfer
        from notices import links
        from notices.services.sheets import sheets_for_new_classes
        from notices.transfers import move_reminders, move_satisfaction
        from records import campaign, signals

        register_transfer(move_reminders)
        register_transfer(move_satisfaction)
        from imaging.actions import register_missing_diploma_action
        from notices.reminder_views import missing_diploma_actions
        from notices.satisfaction.selectors import record_invitation_panels
        from records.panels import register_record_panel

        # 提醒 on the missing-diploma list: imaging links to it without importing notices.
        register_missing_diploma_action(missing_diploma_actions)
        campaign.register_current_notice(links.current_record_checks)
        # 学籍信息: the satisfaction evaluation offered under a record once it is checked.
        register_record_panel(record_invitation_panels)
        signals.confirmation_made.connect(links.link_confirmation, dispatch_uid="notices.links")
        signals.discrepancy_reported.connect(links.link_report, dispatch_uid="notices.links")
        signals.roster_imported.connect(sheets_for_new_classes, dispatch_uid="notices.sheets")
        from django.contrib.auth.signals import user_logged_in

        from notices.hold import mark_login

        user_logged_in.connect(mark_login, dispatch_uid="notices.hold")
