"""The forms of the identity proof by records: input → validated data, no business rules."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from records.models import Level


class ClassmateForm(forms.Form):
    name = forms.CharField(label=_("同学姓名"), max_length=50)
    student_number = forms.CharField(label=_("同学学号"), max_length=20)


class FactsForm(forms.Form):
    school = forms.CharField(label=_("学校名称或院校代码"), max_length=100, required=False)
    student_number = forms.CharField(label=_("学号"), max_length=20, required=False)
    level = forms.ChoiceField(label=_("层次"), required=False)
    certificate_number = forms.CharField(
        label=_("或：学历证书编号"),
        max_length=30,
        required=False,
        help_text=_("2001 年以前的证书有两个编号，输入任一编号的数字即可"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", "—")] + list(Level.choices)

    def clean(self):
        data = super().clean()
        enrollment = data.get("school") and data.get("student_number") and data.get("level")
        if not enrollment and not data.get("certificate_number"):
            raise ValidationError(_("请填写学校名称、学号和层次，或填写学历证书编号。"))
        return data
