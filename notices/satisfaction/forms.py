"""The student's evaluation form: nine items 1–5 and optional words."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from notices.models import MAJOR_ITEMS, SATISFACTION_ITEMS, SCHOOL_ITEMS, SatisfactionEvaluation

WORDS_MAX = 500


class ScoreField(forms.TypedChoiceField):
    """1–5 as five radio buttons "1 非常不满意" … "5 非常满意"; the model field's choices."""

    def __init__(self, model_field, **kwargs):
        choices = [(value, f"{value} {label}") for value, label in model_field.choices]
        super().__init__(
            label=model_field.verbose_name,
            choices=choices,
            coerce=int,
            widget=forms.RadioSelect,
            error_messages={"required": _("请选择 1 至 5 中的一项。")},
            **kwargs,
        )


class SatisfactionForm(forms.Form):
    words = forms.CharField(
        label=_("意见和建议（可不填）"),
        max_length=WORDS_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": WORDS_MAX}),
        help_text=_("最多 500 字。请不要写姓名、学号等能认出您的信息。"),
        error_messages={
            "max_length": _("意见和建议最多 %(limit_value)d 字（现有 %(show_value)d 字）。")
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model_fields = {f.name: f for f in SatisfactionEvaluation._meta.get_fields()}
        words = self.fields.pop("words")
        for name in SATISFACTION_ITEMS:
            self.fields[name] = ScoreField(model_fields[name])
        self.fields["words"] = words  # last, after the items

    @property
    def major_fields(self):
        return [self[name] for name in MAJOR_ITEMS]

    @property
    def school_fields(self):
        return [self[name] for name in SCHOOL_ITEMS]

    @property
    def scores(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in SATISFACTION_ITEMS}
