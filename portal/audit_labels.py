"""The words of the portal's own audit events (portal.lib.audit_labels)."""

from django.utils.translation import gettext_lazy as _

from portal.lib import audit

ACTIONS = {
    audit.JOB_DOWNLOADED: _("下载导出文件"),
    "portal.admin_viewed": _("后台查看"),
}

FIELDS = {"file": _("文件"), "state": _("状态")}
