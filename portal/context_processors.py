"""The navigation that fits the person's role (templates/base.html)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import AccountState, Role
from accounts.second_factor import SESSION_KEY
from accounts.services import second_factor

_STUDENT = [
    ("home", _("首页")),
    ("records:my_records", _("学籍信息")),
    ("records:record_history", _("我的学籍记录")),
    ("notices:notice_list", _("通知公告")),
    ("notices:help_list", _("帮助")),
    ("accounts:account", _("账号")),
]
_STAFF = {
    Role.COUNSELOR: [
        ("home", _("首页")),
        # Each task's classes with their progress and 反馈表 to sign (the home page's to-do).
        ("notices:task_list", _("校对任务")),
        ("records:class_list", _("我的班级")),
        ("records:zsb_list", _("专升本")),
        ("imaging:manage", _("照片")),
        ("notices:notice_list", _("通知公告")),
    ],
    Role.COLLEGE: [
        ("home", _("首页")),
        ("notices:task_list", _("校对任务")),
        ("records:class_list", _("班级")),
        ("records:zsb_list", _("专升本")),
        ("imaging:manage", _("照片")),
        ("notices:notice_list", _("通知公告")),
    ],
    Role.REGISTRAR: [
        ("home", _("首页")),
        ("records:discrepancy_queue", _("有误申请")),
        ("imaging:dispute_queue", _("照片有误")),
        ("records:class_list", _("班级")),
        ("records:record_list", _("学籍")),
        ("records:zsb_list", _("专升本")),
        ("imports:roster_import", _("导入名单")),
        ("imaging:manage", _("照片")),
        ("notices:manage_list", _("管理通知")),
        ("portal:audit_log", _("审计记录")),
    ],
    Role.IDENTITY_REVIEWER: [("home", _("首页")), ("accounts:identity_queue", _("身份核验"))],
    Role.ADMIN: [
        ("home", _("首页")),
        ("records:record_list", _("学籍")),
        ("admin:index", _("管理后台")),
    ],
}
_PUBLIC = [
    ("home", _("首页")),
    ("notices:notice_list", _("通知公告")),
    ("reports:report_verify", _("验证报告")),
    ("notices:help_list", _("帮助中心")),
    ("imaging:collection_units", _("图像采集单位")),
]


def _owes_second_factor(request) -> bool:
    """The session must verify a code or enrol a device before any page: the gate's
    decision, already in the session (accounts.second_factor), no query."""
    session = getattr(request, "session", None)
    return session is not None and session.get(SESSION_KEY) in (
        second_factor.VERIFY,
        second_factor.ENROL,
    )


def navigation(request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and _owes_second_factor(request):
        # Every link would bounce back to the verify or enrol page: none but log-out.
        return {"nav_items": [], "second_factor_owed": True}
    if user is None or not user.is_authenticated:
        items = _PUBLIC
    elif user.state == AccountState.PENDING:
        items = [("accounts:identity", _("身份核验"))]
    elif user.role == Role.STUDENT:
        items = _STUDENT
    else:
        items = [*_STAFF.get(user.role, [("home", _("首页"))]), ("accounts:account", _("账号"))]
    current = request.resolver_match.view_name if getattr(request, "resolver_match", None) else ""
    return {
        "nav_items": [
            {"url": reverse(name), "label": label, "current": name == current}
            for name, label in items
        ]
    }
