"""Forms of the online verification report pages: input to clean data, no rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from records.online_reports.services import code_normalize

MONTHS = [
    (1, _("1 个月")),
    (2, _("2 个月")),
    (3, _("3 个月")),
    (6, _("6 个月")),
]


class ReportCreateForm(forms.Form):
    months = forms.TypedChoiceField(
        label=_("有效期"),
        choices=MONTHS,
        coerce=int,
        initial=3,
        help_text=_("有效期内，任何人凭在线验证码或二维码都可以查看该报告。"),
    )


class DegreeReportCreateForm(ReportCreateForm):
    """The same choice for a 学历证书电子注册备案表, which its help text names."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["months"].help_text = _(
            "有效期内，任何人凭在线验证码或二维码都可以查看该备案表。"
        )


class ReportExtendForm(forms.Form):
    months = forms.TypedChoiceField(
        label=_("延长"),
        choices=MONTHS,
        coerce=int,
        initial=1,
        help_text=_("从今日与原有效期中较晚者起算，最长至自今日起 6 个月。"),
    )


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("在线验证码"),
        max_length=64,
        help_text=_("16 位字母和数字，可带或不带“-”，不区分大小写。"),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        code = code_normalize(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(_("请输入在线验证码。"))
        return code
