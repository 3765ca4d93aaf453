"""Forms of the record pages: input → validated data, no business rules."""

from django import forms
from django.core.validators import ProhibitNullCharactersValidator as ProhibitNull
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.lib.forms import NUL_ERRORS
from records import rules
from records.models import College, EvidenceKind, ReportState, SubjectKind
from records.rules import CORRECTABLE_FIELDS, Kind
from records.rules import label as field_label
from records.rules.fields import related_choices
from records.rules.policy import describe as policy_text
from records.services import checks
from records.services.corrections import STANDARD_REJECT_REASONS

# Fields typed as digits (and an X): the phone's number pad where it fits.
_NUMERIC = {"admission_year": "numeric", "student_number": "text", "examinee_number": "numeric"}


def value_field(record, name: str, *, label: str, required: bool = False) -> forms.Field:
    """The box a person types or picks a field's value in, by its rule (records.rules):
    a pick list for coded and related fields, a date picker for dates, a text box else.
    Every kind submits text that the rule reads; the service decides."""
    rule = rules.ALL_RULES[name]
    blank = [("", _("请选择"))]
    # A pick list, yet any text is taken and read by the rule: an unknown value gets the
    # rule's own message, the same as in the import.
    if rule.kind == Kind.CHOICE:
        # The option's value is the source label (it reads back in any language); what
        # she reads is the label in her language.
        choices = blank + [(rule.show(value), str(text)) for value, text in rule.choices]
        return forms.CharField(label=label, required=required, widget=forms.Select(choices=choices))
    if rule.kind == Kind.RELATED:
        choices = related_choices(record, name)
        now = rules.text(record, name)
        if name == "major" and now not in (value for value, _label in choices):
            choices.insert(0, (now, now))  # a major of another 层次 than the record's
        choices = blank + choices
        return forms.CharField(label=label, required=required, widget=forms.Select(choices=choices))
    attrs = {"maxlength": 200}
    if rule.kind == Kind.DATE:
        # A phone shows its date picker; typed text in the five usual forms reads too.
        attrs.update(type="date", min="1900-01-01", max="2100-12-31")
    elif rule.kind == Kind.REGION:
        attrs["placeholder"] = _("如：云南省昆明市，或 6 位行政区划代码")
    elif name in _NUMERIC or rule.kind == Kind.NUMBER:
        attrs["inputmode"] = _NUMERIC.get(name, "decimal")
    # No max_length and no NUL check here: the rule says what a value may hold, in the
    # words the import uses too.
    field = forms.CharField(label=label, required=required, widget=forms.TextInput(attrs=attrs))
    field.validators = [v for v in field.validators if not isinstance(v, ProhibitNull)]
    return field


def show_errors(form: forms.Form, errors: dict[str, str], prefix: str = "") -> None:
    """FieldErrors of a service, each under its field (those without one on top)."""
    for name, reason in errors.items():
        target = f"{prefix}{name}"
        form.add_error(target if target in form.fields else None, reason)


class RecordSearchForm(forms.Form):
    """查询学籍: sent as a POST, so that an ID number never travels in a URL."""

    q = forms.CharField(
        label=_("姓名、学号、考生号或证件号码"), max_length=100, error_messages=NUL_ERRORS
    )
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)


class BindFactsForm(forms.Form):
    """还有学籍没有显示出来？: the school and either number the student knows."""

    school = forms.CharField(label=_("学校名称或院校代码"), max_length=100)
    number = forms.CharField(
        label=_("学号或考生号"),
        max_length=20,
        help_text=_("填写学号或高考考生号其中之一即可"),
    )


class DegreeBindForm(forms.Form):
    certificate_number = forms.CharField(
        label=_("证书编号"),
        max_length=30,
        help_text=_(
            "2001 年以前的证书有学校编号和证书序列号两个编号，都可以尝试；输入数字即可，如 NO.00298959 输入 00298959 或 298959"
        ),
    )
    graduation_year = forms.IntegerField(label=_("毕业年份"), min_value=1991, max_value=2100)
    school = forms.CharField(label=_("毕业学校"), max_length=100)


class DiscrepancyForm(forms.Form):
    """有误 of a 学籍 or a 学历 (`record` either): a checkbox and a 正确信息 box per field
    the rules let her report, an explanation, evidence files. The boxes are typed by the
    field rules; the claim service reads and checks the values."""

    explanation = forms.CharField(
        label=_("情况说明"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record
        self.names = rules.correctable_fields(record)
        self.rows = []
        for name in self.names:
            label = field_label(name)
            self.fields[f"wrong_{name}"] = forms.BooleanField(label=label, required=False)
            value = value_field(record, name, label=_("%(field)s的正确信息") % {"field": label})
            # What a correction of the field needs, read out with its box (aria-describedby).
            value.help_text = policy_text(name)
            self.fields[f"value_{name}"] = value
            self.rows.append(
                {
                    "name": name,
                    "current": rules.text(record, name),
                    "wrong": self[f"wrong_{name}"],
                    "value": self[f"value_{name}"],
                }
            )
        for i in range(3):
            # No kind chosen for her: the policy of each ticked field names the kind.
            self.fields[f"kind_{i}"] = forms.ChoiceField(
                label=_("材料类型"),
                choices=[("", _("请选择"))] + EvidenceKind.choices,
                required=False,
            )
            self.fields[f"file_{i}"] = forms.FileField(
                label=_("证明材料 %(n)d") % {"n": i + 1},
                required=False,
                help_text=_("图片或 PDF，不超过 5 MB") if i == 0 else "",
                widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.gif,.pdf"}),
            )
        self.evidence_rows = [(self[f"kind_{i}"], self[f"file_{i}"]) for i in range(3)]

    def clean(self):
        """Every error in one round: a ticked field without a value, and what the claim
        service would refuse (records.services.checks.claim_changes), evidence included,
        so that she fixes everything before choosing her files again."""
        data = super().clean()
        for name in self.names:
            box = f"value_{name}"
            if data.get(f"wrong_{name}") and not data.get(box) and box not in self.errors:
                self.add_error(box, _("请填写正确的信息"))
        claims = {name: value for name, value in self.claims.items() if value}
        if claims:
            kinds = {kind for kind, _upload in self.evidence}
            self.show_errors(dict(checks.claim_changes(self.record, claims, kinds).errors))
        return data

    @property
    def claims(self) -> dict[str, str]:
        data = self.cleaned_data
        return {n: data.get(f"value_{n}", "") for n in self.names if data.get(f"wrong_{n}")}

    @property
    def evidence(self) -> list[tuple[str, object]]:
        data = self.cleaned_data
        return [
            (data.get(f"kind_{i}") or EvidenceKind.OTHER, data[f"file_{i}"])
            for i in range(3)
            if data.get(f"file_{i}")
        ]

    def show_errors(self, errors: dict[str, str]) -> None:
        evidence = errors.pop("evidence", None)
        if evidence:
            self.add_error("file_0", evidence)
        show_errors(self, errors, prefix="value_")


OLDER_THAN_MAX_DAYS = 3650  # ten years: far beyond any open report, far below overflow


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), required=False)
    kind = forms.ChoiceField(
        label=_("学籍 / 学历"),
        required=False,
        choices=[("", _("全部"))] + SubjectKind.choices,
    )
    college = forms.ModelChoiceField(
        label=_("学院"), queryset=College.objects.none(), required=False, empty_label=_("全部学院")
    )
    # Part of a class's name or code; the page suggests the visible ones (<datalist>).
    school_class = forms.CharField(
        label=_("班号或班级"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"list": "class-suggestions", "autocomplete": "off"}),
    )
    field = forms.ChoiceField(label=_("字段"), required=False)
    older_than = forms.IntegerField(
        label=_("已等待天数不少于"),
        min_value=0,
        max_value=OLDER_THAN_MAX_DAYS,
        required=False,
        error_messages={
            code: _("请输入 0 到 %(max)d 之间的天数。") % {"max": OLDER_THAN_MAX_DAYS}
            for code in ("invalid", "min_value", "max_value")
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("全部"))] + list(ReportState.choices)
        self.fields["college"].queryset = College.objects.visible_to(user).order_by("code")
        names = dict.fromkeys(CORRECTABLE_FIELDS + rules.DEGREE_CORRECTABLE_FIELDS)
        self.fields["field"].choices = [("", _("全部"))] + [(n, field_label(n)) for n in names]


FIRST_CORRECTION_YEAR = 2000


class CorrectionsRangeForm(forms.Form):
    """The days of the accepted corrections to list: from the first of this month to today
    unless chosen (local calendar days, both included)."""

    since = forms.DateField(
        label=_("处理日期自"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label=_("至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        data["since"] = data.get("since") or today.replace(day=1)
        data["until"] = data.get("until") or today
        if data["since"] > data["until"]:
            raise forms.ValidationError(_("开始日期不能晚于结束日期。"))
        for day in (data["since"], data["until"]):
            # Corrections exist from the portal's first year to today: a date far outside
            # is a typing error (and its next day, for the range's end, must exist).
            if not FIRST_CORRECTION_YEAR <= day.year <= today.year + 1:
                raise forms.ValidationError(
                    _("请选择 %(first)d 年至 %(last)d 年之间的日期。")
                    % {"first": FIRST_CORRECTION_YEAR, "last": today.year + 1}
                )
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("处理结果"), choices=[("accept", _("核实更正")), ("reject", _("不予更正"))]
    )
    fields_to_apply = forms.MultipleChoiceField(
        label=_("更正的字段"), required=False, widget=forms.CheckboxSelectMultiple
    )
    standard_reason = forms.ChoiceField(label=_("常用原因"), required=False)
    note = forms.CharField(
        label=_("处理意见"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fields_to_apply"].choices = [
            (item.field, f"{field_label(item.field)}：{item.current_value} → {item.claimed_value}")
            for item in report.items.all()
        ]
        self.fields["standard_reason"].choices = [("", "—")] + [
            (str(r), r) for r in STANDARD_REJECT_REASONS
        ]

    @property
    def reason(self) -> str:
        data = self.cleaned_data
        return " ".join(p for p in (data.get("standard_reason"), data.get("note")) if p).strip()


class RecordEditForm(forms.Form):
    """The registrar's direct edit: every correctable field, typed by its rule, with its
    current value; the service reads and checks what changed."""

    reason = forms.CharField(
        label=_("修改原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record
        for name in CORRECTABLE_FIELDS:
            field = value_field(record, name, label=field_label(name))
            field.initial = rules.text(record, name)
            self.fields[name] = field
        self.order_fields([*CORRECTABLE_FIELDS, "reason"])

    def clean(self):
        """The values' errors even when the reason is missing: one round, every error."""
        data = super().clean()
        show_errors(self, dict(rules.check_changes(self.record, self.changed_values()).errors))
        return data

    def changed_values(self) -> dict[str, str]:
        data = self.cleaned_data
        return {name: data.get(name, "") for name in self.changed_data if name != "reason"}
