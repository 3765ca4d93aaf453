"""One set of rules for the fields of a record (学籍) and a degree (学历): how a value is
read (the spellings real files and people use), normalised, validated and shown, and the
rules between fields. The roster import, the student's 有误 claim, the registrar's
accept and direct edit, and the admin all call these; none re-implements them.

- values: reading one raw value (a cell or a typed text) of each kind;
- fields: each field's reader, how it is shown and asked for (`read`, `show`);
- between: the rules between fields (ID number against birth date and sex, dates
  against each other and the 学制);
- policy: who may change a field, on what evidence, and what is never changed.

`check_changes(record, texts)` is the door for every change of an existing record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from records.errors import FieldErrors
from records.models import DegreeRecord, EnrollmentRecord
from records.rules import between, policy
from records.rules.fields import (
    ALL_RULES,
    CORRECTABLE_FIELDS,
    DEGREE_CORRECTABLE_FIELDS,
    DEGREE_FIELDS,
    DEGREE_RULES,
    LOCATING_FIELDS,
    RULES,
    Kind,
    as_read,
    current,
    id_number_for_rekeying,
    label,
    read,
    resolve,
    show,
    text,
    value_for_others,
)
from records.rules.values import RuleError

__all__ = [
    "ALL_RULES",
    "CORRECTABLE_FIELDS",
    "DEGREE_CORRECTABLE_FIELDS",
    "DEGREE_FIELDS",
    "DEGREE_RULES",
    "LOCATING_FIELDS",
    "RULES",
    "Changes",
    "Kind",
    "RuleError",
    "check_changes",
    "correctable_fields",
    "current",
    "id_number_for_rekeying",
    "label",
    "read",
    "show",
    "text",
    "value_for_others",
    "value_text",
]

# The fields the rules between fields read, taken from the record when not changed.
_BETWEEN = (
    "id_type",
    "id_number",
    "birth_date",
    "sex",
    "entry_date",
    "expected_graduation",
    "duration",
    "leaving_date",
    "graduation_date",
)

Subject = EnrollmentRecord | DegreeRecord


def correctable_fields(subject: Subject) -> tuple[str, ...]:
    """The fields a 有误 claim or a correction may name: a record's or a degree's."""
    return DEGREE_CORRECTABLE_FIELDS if isinstance(subject, DegreeRecord) else CORRECTABLE_FIELDS


@dataclass
class Changes:
    """What `check_changes` found: the new values (related ones as objects), and the
    reason per field of every value refused."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def raise_errors(self) -> None:
        if self.errors:
            labels = {name: label(name) for name in self.errors if name in ALL_RULES}
            raise FieldErrors(self.errors, {"evidence": _("证明材料"), **labels})


def check_changes(
    record: Subject, texts: Mapping[str, str], *, same_is_error: bool = False
) -> Changes:
    """Read each text as its field's new value and check it against the record (or the
    degree: its own rules, and its certificate number against its 层次 and year): the
    field's own rule, the rules between fields that it takes part in, and the changes
    the seeds refuse (policy.refusals). Every error at once, by field.

    With `same_is_error` (a student's claim) a value equal to the current one is an
    error; otherwise it is no change."""
    changes = Changes()
    _read_values(changes, record, texts, same_is_error)
    merged = {name: getattr(record, name) for name in _BETWEEN if hasattr(record, name)}
    merged.update((n, v) for n, v in changes.values.items() if n in _BETWEEN)
    found = policy.refusals(record, changes.values)  # said first: it explains the most
    if isinstance(record, DegreeRecord):
        merged.update(
            certificate_number=record.certificate_number,
            level=changes.values.get("level", record.level),
        )
        found += between.certificate(merged, record.institution.code)
    else:
        _check_organisation(changes, record)
    found += between.problems(merged)
    if "id_number" in changes.values:
        changes.values["id_number"] = merged["id_number"]  # in its normal form
    for name, reason in between.by_field(found, changes.values).items():
        changes.errors.setdefault(name, reason)
    for name in changes.errors:
        changes.values.pop(name, None)
    return changes


def _read_values(changes: Changes, record, texts: Mapping[str, str], same_is_error: bool):
    related = []
    rules = DEGREE_RULES if isinstance(record, DegreeRecord) else RULES
    for name, raw in texts.items():
        if name not in correctable_fields(record):
            changes.errors[name] = _("该字段不能修改")
            continue
        try:
            value = read(name, raw, rules)
        except RuleError as exc:
            changes.errors[name] = exc.reason
            continue
        if rules[name].kind == Kind.RELATED:
            related.append((name, value))
        else:
            _keep(changes, record, name, value, same_is_error)
    # Related names last: a major is looked up at the new 层次, a department in the new 分院.
    for name, value in sorted(related, key=lambda pair: pair[0] == "department"):
        try:
            _keep(
                changes, record, name, resolve(record, name, value, changes.values), same_is_error
            )
        except RuleError as exc:
            changes.errors[name] = exc.reason


def _check_organisation(changes: Changes, record) -> None:
    """A record's class and department belong to its college (as the import holds a
    班号 to one 分院): a change that would split them is refused at the changed field."""
    college = changes.values.get("college", record.college)
    for name in ("school_class", "department"):
        part = changes.values.get(name, getattr(record, name))
        if part is None or college is None or part.college_id == college.pk:
            continue
        if name not in changes.values and "college" not in changes.values:
            continue  # as it was: not this change's doing
        at = name if name in changes.values else "college"
        changes.errors.setdefault(
            at,
            _("%(field)s“%(part)s”属于其他分院，与分院“%(college)s”不一致")
            % {"field": label(name), "part": part.name, "college": college.name},
        )


def _keep(changes: Changes, record, name: str, value: Any, same_is_error: bool) -> None:
    if value != getattr(record, name):
        changes.values[name] = value
    elif same_is_error:
        changes.errors[name] = _("填写的正确信息与现有信息相同")


def value_text(name: str, value: Any) -> str:
    """A checked value as text: what a claim stores and the registrar reads back."""
    return show(name, as_read(name, value))
