"""A refused form's error summary (issue 15 §6, WCAG 3.3.1): every error of the form in one
list on top, each linking to the control it is about, so that a long form on a phone
says at once how many places need fixing and takes her to each one.

Used by templates/components/_form_errors.html only; static/js/forms.js gives the summary
the focus when the page loads and moves the focus to a field when a link is followed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms, template
from django.utils.translation import gettext as _

register = template.Library()


@dataclass(frozen=True)
class ErrorItem:
    message: str
    label: str = ""
    target: str = ""  # the id of the control to focus, "" for an error of the whole form


def field_target(field: forms.BoundField) -> str:
    """The id of the control a link should reach: the input itself, or the first choice of
    a group of radio buttons or checkboxes (whose label points at no single control)."""
    if field.id_for_label:
        return field.id_for_label
    subwidgets = field.subwidgets
    return (subwidgets[0].id_for_label if subwidgets else "") or field.auto_id or ""


def _field_items(form: forms.BaseForm, row: int | None = None) -> list[ErrorItem]:
    items = []
    for field in form:
        if not field.errors:
            continue
        label = str(field.label)
        if row is not None:
            label = _("%(label)s（第 %(row)d 行）") % {"label": label, "row": row}
        message = " ".join(str(error) for error in field.errors)
        target = "" if field.is_hidden else field_target(field)
        items.append(ErrorItem(message=message, label=label, target=target))
    return items


@register.simple_tag
def error_summary(form: forms.BaseForm, *formsets: forms.BaseFormSet | str) -> list[ErrorItem]:
    """The errors of `form` and of the formsets that belong with it on one page, whole-form
    ones first, then one item per field in the page's order (its messages joined). A
    formset's rows are named by their number; a missing formset ("") is skipped."""
    if not isinstance(form, forms.BaseForm):
        return []  # no form on this page (the include's `form` missing)
    items = [ErrorItem(message=str(error)) for error in form.non_field_errors()]
    items += _field_items(form)
    for formset in formsets:
        if not formset:
            continue
        items += [ErrorItem(message=str(error)) for error in formset.non_form_errors()]
        for row, row_form in enumerate(formset.forms, start=1):
            items += [ErrorItem(message=str(error)) for error in row_form.non_field_errors()]
            items += _field_items(row_form, row)
    return items
