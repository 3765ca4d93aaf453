"""What a re-import changes in a record, as people read it: the registrar's list (dry run
and report) and, when the student had confirmed the record, the reason her confirmation
ends and the notice she gets.

Values are shown as the student reads them on her page: the labels of choices, the names
of colleges, majors and classes, the full name of 生源省市; ID numbers masked
(portal.lib.idnumbers.mask). On the registrar's list a record whose ID number changes
also shows its birth date as a year and no 考生号 or 生源省市 value, so that the masked
number cannot be rebuilt from the same line (docs/security.md "Personal data").
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from portal.lib import idnumbers
from records import rules

# RecordConfirmation.revoked_reason holds 200 characters.
REASON_LENGTH = 200


def field_label(attname: str) -> str:
    return rules.label(attname.removesuffix("_id"))


def value_text(attname: str, value: Any, names: dict[str, dict[int, str]]) -> str:
    """One stored value as text, as the field rules show it (records.rules); `names`:
    attname -> pk -> name for the related fields."""
    if value is None or value == "":
        return "—"
    if attname.endswith("_id"):
        return names[attname].get(value, str(value))
    if attname == "id_number":
        return idnumbers.mask(value)
    return rules.show(attname, value)


def shown_changes(
    before_after: dict[str, list[Any]], names: dict[str, dict[int, str]]
) -> list[tuple[str, str, str, str]]:
    """(attname, label, old, new) for each changed field, in the order given."""
    shown = []
    for attname, (old, new) in before_after.items():
        old_text, new_text = value_text(attname, old, names), value_text(attname, new, names)
        if old_text == new_text and attname == "origin_region":
            old_text, new_text = old, new  # two counties of one province: show the codes
        shown.append((attname, field_label(attname), old_text, new_text))
    return shown


def for_registrar(shown: list[tuple[str, str, str, str]]) -> list[tuple[str, str, str]]:
    """(label, old, new) for the registrar's list: beside a changed (masked) ID number,
    the birth date as its year and no locating value (records.rules.value_for_others)."""
    if not any(attname == "id_number" for attname, *_rest in shown):
        return [(label, old, new) for _attname, label, old, new in shown]
    hidden = _("（不显示）")
    return [
        (
            label,
            rules.value_for_others(attname, old) or hidden,
            rules.value_for_others(attname, new) or hidden,
        )
        for attname, label, old, new in shown
    ]


def revoked_reason(shown: list[tuple[str, str, str, str]]) -> str:
    """Why the student's 正确 no longer stands, e.g. "学校导入名单时更新了：民族（汉族 →
    回族）"; the field names alone when the values would not fit the 200 characters."""
    values = "；".join(f"{label}（{old} → {new}）" for _attname, label, old, new in shown)
    reason = _("学校导入名单时更新了：%(changes)s") % {"changes": values}
    if len(reason) > REASON_LENGTH:
        labels = "、".join(label for _attname, label, _old, _new in shown)
        reason = _("学校导入名单时更新了：%(changes)s") % {"changes": labels}
    return reason[:REASON_LENGTH]


def notice_text(shown: list[tuple[str, str, str, str]]) -> str:
    """The SMS or e-mail: the fields only, never the values (a message may be read by
    anyone holding the phone)."""
    labels = "、".join(label for _attname, label, _old, _new in shown)
    return _("您的学籍信息（%(fields)s）已由学校更新，请登录重新校对。") % {"fields": labels}
