"""Reads of the portal as a whole: the audit trail as the registrar reads it."""

from __future__ import annotations

from django.db.models import Count, OuterRef, QuerySet, Subquery
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


def audit_trail(user, *, action: str = "", student: str = "") -> QuerySet[AuditEvent]:
    """The events this user may read, newest first, each with how many students it names
    (n_students). `action` is a prefix such as "notices."; `student` a 学号: every event
    that names her, a look at a photo or an export alike."""
    events = audit_events_for(user).annotate(n_students=_subject_count())
    if action:
        events = events.filter(action__startswith=action)
    if student:
        records = EnrollmentRecord.objects.visible_to(user).filter(student_number=student)
        users = records.exclude(user=None).values("user")
        events = events.concerning(users=users, records=records)
    return events
