"""One way to write the audit trail: `log_action` for changes, called from services, and
`log_access` for a staff member looking at or exporting students' personal data (PIPL:
who looked, when, and every student concerned)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models, transaction

from portal.lib.models import AuditEvent, AuditSubject
from portal.lib.throttle import client_ip


def plain(value: Any) -> Any:
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
    return {name: plain(getattr(obj, name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields whose value changed."""
    return {
        name: [before.get(name), after.get(name)]
        for name in after
        if before.get(name) != after.get(name)
    }


def as_change(values: Any) -> tuple[Any, Any] | None:
    """A `changes` value as (before, after) when it is a change ([before, after], see
    diff); None when it is a single value (what an access event notes, e.g. the exported
    file's name). The one place that tells them apart, for every page that shows them."""
    if isinstance(values, list | tuple) and len(values) == 2:
        return values[0], values[1]
    return None


def _institution_id(obj: models.Model) -> int | None:
    if obj._meta.label == "records.Institution":
        return obj.pk
    for path in ("institution_id", "record.institution_id", "degree.institution_id"):
        value: Any = obj
        for part in path.split("."):
            value = getattr(value, part, None)
        if value is not None:
            return value
    return None


# Keys of `changes` whose values are ID numbers: stored masked whatever the caller passes
# ({"id_number": [before, after]} of a correction, [current, claimed] of a report, a
# requested number), so that the trail never holds a full number (GB/T 35273). Birth dates
# and the other fields stay whole: the registrar's correction trail needs them.
ID_NUMBER_KEYS = frozenset({"id_number", "requested_id_number"})


def _mask_id_numbers(value: Any) -> Any:
    """`value` with every string in it masked (portal.lib.idnumbers.mask), however nested."""
    from portal.lib.idnumbers import mask  # imported here: portal stays free of accounts

    if isinstance(value, str):
        return mask(value) if value else value
    if isinstance(value, list | tuple):
        return [_mask_id_numbers(item) for item in value]
    if isinstance(value, dict):
        return {key: _mask_id_numbers(item) for key, item in value.items()}
    return value


def masked_changes(changes: dict[str, Any] | None) -> dict[str, Any]:
    """`changes` as stored: the values under ID_NUMBER_KEYS masked, at any depth. The one
    place that decides it, for log_action and log_access alike."""
    stored: dict[str, Any] = {}
    for key, value in (changes or {}).items():
        if key in ID_NUMBER_KEYS:
            value = _mask_id_numbers(value)
        elif isinstance(value, dict):
            value = masked_changes(value)
        stored[key] = value
    return stored


def log_action(
    obj: models.Model,
    action: str,
    *,
    by=None,
    changes: dict[str, list[Any]] | None = None,
    reason: str = "",
    subject=None,
    ip: str | None = None,
    request=None,
) -> AuditEvent:
    """Append an audit event: `by` did `action` (e.g. "records.corrected") to `obj`,
    from the client address `ip` (portal.lib.throttle.client_ip; `request=` reads it
    there, for callers that still pass the request).

    Passwords and codes never go in `changes`; ID numbers in it are masked here
    (masked_changes).
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
        changes=masked_changes(changes),
        reason=reason,
        ip_address=_address(ip, request),
    )


def _address(ip: str | None, request) -> str | None:
    return (ip if ip is not None else client_ip(request)) or None


RECORD = "records.EnrollmentRecord"


@dataclass(frozen=True)
class StudentRef:
    """A student by her enrolment record and/or account, when only the ids are at hand
    (a signed sheet keeps record ids only)."""

    record_id: int | None = None
    user_id: int | None = None


def _ref(student: Any) -> StudentRef:
    if isinstance(student, StudentRef):
        return student
    label = student._meta.label
    if label == settings.AUTH_USER_MODEL:
        return StudentRef(user_id=student.pk)
    if label == RECORD:
        return StudentRef(record_id=student.pk, user_id=student.user_id)
    return StudentRef(user_id=getattr(student, "user_id", None))


def _refs(students: Iterable[Any]) -> list[StudentRef]:
    """One ref per student: refs of one record merged, keeping the account any of them
    names (a signed sheet's rows name the record only, its live rows the account too); an
    account alone is dropped when a record already names it."""
    accounts: dict[int, int | None] = {}  # record id -> account id
    alone: dict[int, None] = {}  # accounts named without a record
    for student in students:
        ref = _ref(student)
        if ref.record_id is not None:
            accounts[ref.record_id] = accounts.get(ref.record_id) or ref.user_id
        elif ref.user_id is not None:
            alone[ref.user_id] = None
    named = set(accounts.values())
    refs = [StudentRef(record_id=record, user_id=user) for record, user in accounts.items()]
    return refs + [StudentRef(user_id=user) for user in alone if user not in named]


def log_access(
    by,
    action: str,
    obj: models.Model | None,
    *,
    students: Iterable[Any] = (),
    changes: dict[str, Any] | None = None,
    label: str = "",
    ip: str | None = None,
    request=None,
) -> AuditEvent:
    """Record that `by` looked at or exported (`action`, e.g. "records.viewed") the
    personal data of `students`, shown through `obj` (a record, a photo, a sheet, a job).

    `students` are enrolment records, accounts or StudentRefs, mixed as convenient; each
    becomes one AuditSubject row. One INSERT for the event and one bulk INSERT for its
    subjects, however many students an export names. ID numbers under the keys of
    ID_NUMBER_KEYS are masked here; mask any other (portal.lib.idnumbers.mask). `ip` is
    the client's address (the view reads it with portal.lib.throttle.client_ip)."""
    refs = _refs(students)
    actor = by if by is not None and by.is_authenticated else None
    users = {ref.user_id for ref in refs}
    institution_id = _institution_id(obj) if obj is not None else None
    if institution_id is None and actor is not None:
        institution_id = actor.institution_id
    with transaction.atomic(savepoint=False):
        event = AuditEvent.objects.create(
            actor=actor,
            actor_label=str(actor) if actor else "系统",
            action=action,
            target_type=obj._meta.label if obj is not None else "",
            target_id=str(obj.pk) if obj is not None else "",
            target_label=(label or str(obj))[:200],
            subject_id=users.pop() if len(users) == 1 else None,
            institution_id=institution_id,
            changes=masked_changes(changes),
            ip_address=_address(ip, request),
            is_access=True,
        )
        AuditSubject.objects.bulk_create(
            AuditSubject(event=event, record_id=ref.record_id, user_id=ref.user_id) for ref in refs
        )
    return event


JOB_DOWNLOADED = "portal.job_downloaded"


def exported_students(job: models.Model) -> list[StudentRef]:
    """The students in `job`'s file, for the event of downloading it: those named by the
    event of the run that made the file (the latest event about the job other than a
    download). Read from that one event, so that the k-th download reads N rows, not the
    k × N its earlier downloads copied."""
    export = (
        AuditEvent.objects.filter(target_type=job._meta.label, target_id=str(job.pk))
        .exclude(action=JOB_DOWNLOADED)
        .order_by("-pk")
        .values("pk")[:1]
    )
    rows = AuditSubject.objects.filter(event=models.Subquery(export)).values_list(
        "record_id", "user_id"
    )
    return [StudentRef(record_id=record, user_id=user) for record, user in rows]
