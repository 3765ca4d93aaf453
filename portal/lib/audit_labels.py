"""How an audit event reads on a page, in Chinese: the action in words, each changed field
by its label, each value as the pages show it (民族 汉族 → 回族), times as a person writes
them (2026年12月4日 13:27). The audit page, a notice's history and a report's 变更记录 all
read events through here.

portal.lib knows no app: each app registers the words of its own actions and fields in its
AppConfig.ready (`register(actions=…, fields=…, values=…)`). What a model says of itself, a
field's verbose_name and a choice's label, is read from the model the event is about.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.lib.audit import as_change

_ACTIONS: dict[str, Any] = {}
_FIELDS: dict[str, Any] = {}
_VALUES: dict[str, Callable[[Any], str]] = {}


def register(
    *,
    actions: Mapping[str, Any] = {},
    fields: Mapping[str, Any] = {},
    values: Mapping[str, Callable[[Any], str]] = {},
) -> None:
    """An app's words: action code → label, field name → label (for names that are no
    model field, or whose model field says too little), field name → how its values read."""
    _ACTIONS.update(actions)
    _FIELDS.update(fields)
    _VALUES.update(values)


def action_label(code: str) -> str:
    """The action in words; an action nobody registered shows its code (tests list them)."""
    label = _ACTIONS.get(code)
    return str(label) if label is not None else code


def known_actions() -> list[tuple[str, str]]:
    """Every registered action as (code, label), grouped by app, for the audit filter."""
    return sorted(((code, str(label)) for code, label in _ACTIONS.items()), key=lambda x: x[0])


def is_known_field(name: str) -> bool:
    return name in _FIELDS


@dataclass(frozen=True)
class ChangeLine:
    label: str
    before: str
    after: str | None = None  # None: one value noted (an export's file), not a change

    def __str__(self) -> str:
        if self.after is None:
            return f"{self.label}：{self.before}"
        return f"{self.label}：{self.before} → {self.after}"


def change_lines(event) -> list[ChangeLine]:
    """The event's `changes`, one line a field, in words."""
    model = _model(getattr(event, "target_type", ""))
    lines = []
    for name, values in (event.changes or {}).items():
        label = field_label(name, model)
        change = as_change(values)
        if change is None:
            lines.append(ChangeLine(label, value_text(name, values, model)))
        else:
            before, after = change
            lines.append(
                ChangeLine(label, value_text(name, before, model), value_text(name, after, model))
            )
    return lines


def field_label(name: str, model=None) -> str:
    if name in _FIELDS:
        return str(_FIELDS[name])
    field = _field(model, name)
    if field is not None and getattr(field, "verbose_name", None):
        return str(field.verbose_name)
    return name


def value_text(name: str, value: Any, model=None) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if name in _VALUES:
        return _VALUES[name](value)
    field = _field(model, name)
    choices = getattr(field, "flatchoices", None)
    if choices and not isinstance(value, list | dict):
        return str(dict(choices).get(value, value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return "、".join(value_text(name, item, model) for item in value)
    if isinstance(value, str):
        return _as_time(value) or value
    return str(value)


def event_time(moment: datetime.datetime) -> str:
    """2026年12月4日 13:27, in the portal's time zone."""
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _as_time(text: str) -> str | None:
    """An ISO date or time kept in `changes` (2026-12-04T05:27:00+00:00) as a person
    writes it; None when the text is no date."""
    if len(text) < 10 or not text[:4].isdigit() or text[4] != "-":
        return None
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    if len(text) == 10:
        return date_format(moment.date(), "DATE_FORMAT")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return event_time(moment)


def _model(label: str):
    if not label or "." not in label:
        return None
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
