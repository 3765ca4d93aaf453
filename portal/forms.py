"""Forms of the portal's own pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.lib.forms import NUL_ERRORS


class AuditFilterForm(forms.Form):
    """The audit page's filters. Read through a form so that a value the database cannot
    take (a NUL character: ProhibitNullCharactersValidator) is an error on the page, not a
    500 on PostgreSQL."""

    action = forms.CharField(
        label=_("操作类型"), max_length=60, required=False, error_messages=NUL_ERRORS
    )
    student = forms.CharField(
        label=_("涉及学生（学号）"), max_length=20, required=False, error_messages=NUL_ERRORS
    )
