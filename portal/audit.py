"""One way to write the audit trail: `log_action`, called from services only."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import models

from portal.models import AuditEvent
from portal.throttle import client_ip


def _plain(value: Any) -> Any:
    """A JSON-friendly form of a field value (dates as ISO, model instances as str)."""
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, models.Model):
        return str(value)
    return value


def snapshot(obj: models.Model, fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """The values of `fields` now, to diff against after a change."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields whose value changed."""
    return {
        name: [before.get(name), after.get(name)]
        for name in after
        if before.get(name) != after.get(name)
    }


def _institution_id(obj: models.Model) -> int | None:
    if obj._meta.label == "records.Institution":
        return obj.pk
    for path in ("institution_id", "record.institution_id"):
        value: Any = obj
        for part in path.split("."):
            value = getattr(value, part, None)
        if value is not None:
            return value
    return None


def log_action(
    obj: models.Model,
    action: str,
    *,
    by=None,
    changes: dict[str, list[Any]] | None = None,
    reason: str = "",
    subject=None,
    request=None,
) -> AuditEvent:
    """Append an audit event: `by` did `action` (e.g. "records.corrected") to `obj`.

    Passwords and codes never go in `changes`; pass field names and masked values only.
    """
    actor = by if by is not None and by.is_authenticated else None
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=str(actor) if actor else "系统",
        action=action,
        target_type=obj._meta.label,
        target_id=str(obj.pk),
        target_label=str(obj)[:200],
        subject=subject if subject is not None else getattr(obj, "user", None),
        institution_id=_institution_id(obj),
        changes=changes or {},
        reason=reason,
        ip_address=client_ip(request) or None,
    )
