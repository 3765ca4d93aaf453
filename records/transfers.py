"""What the records app moves when an identity claim completes (accounts.transfer).

Moved to the new account: enrollment and degree bindings (photos, confirmations' records,
reports and evidence follow their record), the confirmations, discrepancy reports and
online reports the student made, and the class-monitor role. Staff fields (reviewer,
counselors) never name a student account and stay as they are."""

from __future__ import annotations

from records.models import (
    DegreeRecord,
    DiscrepancyReport,
    EnrollmentRecord,
    OnlineReport,
    RecordConfirmation,
    SchoolClass,
)


def move_records(*, old, new, now) -> dict[str, int]:
    return {
        "enrollment_records": EnrollmentRecord.objects.filter(user=old).update(
            user=new, bound_at=now
        ),
        "degree_records": DegreeRecord.objects.filter(user=old).update(user=new, bound_at=now),
        "confirmations": RecordConfirmation.objects.filter(user=old).update(user=new),
        "discrepancy_reports": DiscrepancyReport.objects.filter(user=old).update(user=new),
        "online_reports": OnlineReport.objects.filter(user=old).update(user=new),
        "monitored_classes": SchoolClass.objects.filter(monitor=old).update(monitor=new),
    }
