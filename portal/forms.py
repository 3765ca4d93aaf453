"""Forms of the portal's own pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.lib import audit_labels
from portal.lib.forms import NUL_ERRORS

# The kinds of action by app, as the filter offers them above the single actions.
ACTION_GROUPS = (
    ("accounts.", _("账号（全部）")),
    ("records.", _("学籍学历（全部）")),
    ("imaging.", _("图像校对（全部）")),
    ("notices.", _("通知与反馈表（全部）")),
    ("portal.", _("导出文件与后台（全部）")),
)


def _action_choices():
    return [
        ("", _("全部")),
        (_("按类别"), list(ACTION_GROUPS)),
        (_("按操作"), audit_labels.known_actions()),
    ]


class AuditFilterForm(forms.Form):
    """The audit page's filters: the kind of action (in words), who acted, which student
    (学号), from and to which day. Read through a form so that a value the database cannot
    take (a NUL character: ProhibitNullCharactersValidator) is an error on the page, not a
    500 on PostgreSQL."""

    action = forms.ChoiceField(label=_("操作类型"), required=False, choices=_action_choices)
    actor = forms.CharField(
        label=_("操作人（姓名或用户名）"), max_length=60, required=False, error_messages=NUL_ERRORS
    )
    student = forms.CharField(
        label=_("涉及学生（学号）"), max_length=20, required=False, error_messages=NUL_ERRORS
    )
    since = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("截止日期不能早于起始日期。"))
        return data
