"""Reads of the portal as a whole: the audit trail as the registrar reads it."""

from __future__ import annotations

import datetime

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.access import audit_events_for
from portal.lib.models import AuditEvent, AuditSubject
from records.models import EnrollmentRecord


def _subject_count():
    named = (
        AuditSubject.objects.filter(event=OuterRef("pk"))
        .order_by()
        .values("event")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(named), 0)


def audit_trail(
    user,
    *,
    action: str = "",
    actor: str = "",
    student: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    """The events this user may read, newest first, each with how many students it names
    (n_students). `action` is one action or a prefix such as "notices."; `actor` the name
    or user name of who acted; `student` a 学号: every event that names her, a look at a
    photo or an export alike; `since` and `until` whole days, in the portal's time zone."""
    events = audit_events_for(user).annotate(n_students=_subject_count())
    if action.endswith("."):
        events = events.filter(action__startswith=action)
    elif action:
        events = events.filter(action=action)
    if actor:
        events = events.filter(Q(actor__username=actor) | Q(actor_label__icontains=actor))
    if since:
        events = events.filter(created_at__date__gte=since)
    if until:
        events = events.filter(created_at__date__lte=until)
    if student:
        records = EnrollmentRecord.objects.visible_to(user).filter(student_number=student)
        users = records.exclude(user=None).values("user")
        events = events.concerning(users=users, records=records)
    return events
