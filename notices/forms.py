"""Input → validated data for the notices pages; no business rules here."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from notices.models import Notice
from notices.services.notices import NOTICE_FIELDS, AudienceRule, Contact
from portal.lib.numbers import IdField
from records.models import College, Level

DATETIME_WIDGET_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_WIDGET_FORMAT)


DATE_FIELDS = ("issue_date", "window_start", "window_end", "correction_deadline", "sheet_deadline")
FIRST_YEAR, LAST_YEAR = 1990, 2100


def _within_years(value) -> None:
    """Dates at the ends of the calendar overflow when moved to UTC or a day is added."""
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise forms.ValidationError(
            _("请填写 %(first)d 年至 %(last)d 年之间的日期。")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )


class NoticeForm(forms.ModelForm):
    reason = forms.CharField(
        label=_("修改说明"),
        required=False,
        max_length=200,
        help_text=_("修改已发布的通知时，请说明改了什么、为什么改（记入修改记录）"),
    )

    class Meta:
        model = Notice
        fields = NOTICE_FIELDS
        labels = {"contacts": _("其他说明")}
        help_texts = {
            "number": _("例如：23-106、普院教发（2018）4号"),
            "body": _("支持 Markdown：# 标题、1. 列表、[链接](https://…)、表格；不支持 HTML"),
            "contacts": _("可选：联系方式以外的补充说明，例如办理时间"),
        }
        widgets = {
            "issue_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "body": forms.Textarea(attrs={"rows": 16}),
            "contacts": forms.Textarea(attrs={"rows": 2}),
            "window_start": _datetime_widget(),
            "window_end": _datetime_widget(),
            "correction_deadline": _datetime_widget(),
            "sheet_deadline": _datetime_widget(),
        }

    def __init__(self, *args, institution, **kwargs):
        super().__init__(*args, **kwargs)
        self.institution = institution
        if self.instance.pk is None:
            self.fields.pop("reason")
        for name in DATE_FIELDS:
            self.fields[name].validators.append(_within_years)

    def clean_number(self):
        number = self.cleaned_data["number"].strip()
        taken = Notice.objects.filter(institution=self.institution, number=number)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("本校已有使用该文号的通知。"))
        return number

    @property
    def notice_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in NOTICE_FIELDS}


class AudienceRuleForm(forms.Form):
    college = forms.ModelChoiceField(
        label=_("学院"), queryset=College.objects.none(), required=False, empty_label=_("全部学院")
    )
    cohort = forms.IntegerField(
        label=_("年级（级）"), required=False, min_value=1990, max_value=2100,
        help_text=_("例如 2023 级"),
    )  # fmt: skip
    graduation_year = forms.IntegerField(
        label=_("毕业年份（届）"), required=False, min_value=1990, max_value=2100,
        help_text=_("例如 2019 届"),
    )  # fmt: skip
    level = forms.ChoiceField(
        label=_("层次"), required=False, choices=[("", _("全部层次")), *Level.choices]
    )

    def __init__(self, *args, institution=None, **kwargs):
        super().__init__(*args, **kwargs)
        if institution is not None:
            self.fields["college"].queryset = College.objects.filter(institution=institution)

    @property
    def rule(self) -> AudienceRule | None:
        data = getattr(self, "cleaned_data", {})
        if not any(data.get(name) for name in ("college", "cohort", "graduation_year", "level")):
            return None
        return AudienceRule(
            college_id=data["college"].pk if data.get("college") else None,
            cohort=data.get("cohort"),
            graduation_year=data.get("graduation_year"),
            level=data.get("level") or "",
        )


class ContactForm(forms.Form):
    office = forms.CharField(label=_("部门或联系人"), max_length=100, required=False)
    room = forms.CharField(label=_("地点"), max_length=100, required=False)
    phone = forms.CharField(label=_("电话"), max_length=50, required=False)
    email = forms.EmailField(label=_("邮箱"), required=False)

    def clean(self):
        data = super().clean()
        others = any(data.get(name) for name in ("room", "phone", "email"))
        if others and not data.get("office"):
            self.add_error("office", _("请填写部门或联系人。"))
        return data

    @property
    def contact(self) -> Contact | None:
        data = getattr(self, "cleaned_data", {})
        if not data.get("office"):
            return None
        return Contact(
            office=data["office"],
            room=data.get("room", ""),
            phone=data.get("phone", ""),
            email=data.get("email", ""),
        )


AudienceFormSet = formset_factory(AudienceRuleForm, extra=2, max_num=20)
ContactFormSet = formset_factory(ContactForm, extra=2, max_num=10)


def audience_formset(data=None, *, notice: Notice | None, institution):
    initial = [
        {
            "college": rule.college_id,
            "cohort": rule.cohort,
            "graduation_year": rule.graduation_year,
            "level": rule.level,
        }
        for rule in (notice.audience.all() if notice else [])
    ]
    # A bound formset gets no initial: a row left as it was must not count as "empty".
    return AudienceFormSet(
        data,
        initial=None if data is not None else initial,
        prefix="audience",
        form_kwargs={"institution": institution},
    )


def contact_formset(data=None, *, notice: Notice | None):
    initial = [
        {"office": c.office, "room": c.room, "phone": c.phone, "email": c.email}
        for c in (notice.contact_rows.all() if notice else [])
    ]
    return ContactFormSet(data, initial=None if data is not None else initial, prefix="contacts")


class AttachmentForm(forms.Form):
    title = forms.CharField(
        label=_("附件名称"), max_length=200, help_text=_("例如：附件 1 操作流程")
    )
    file = forms.FileField(
        label=_("文件"),
        help_text=_("PDF、图片、Word（.docx）或 Excel（.xlsx），不超过 10 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.gif,.docx,.xlsx"}),
    )
    is_public = forms.BooleanField(label=_("公开（未登录也可下载）"), required=False, initial=True)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("撤回原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class CountersignForm(forms.Form):
    opinion = forms.CharField(
        label=_("复核意见"), max_length=200, required=False, initial=_("情况属实，同意上报。")
    )


class ScopeForm(forms.Form):
    """Which part of the user's scope a list, an export or a reminder is about."""

    college = forms.ModelChoiceField(
        label=_("学院"), queryset=College.objects.none(), required=False, empty_label=_("全部学院")
    )
    school_class = IdField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["college"].queryset = College.objects.visible_to(user).order_by("code")
