"""Who may read what of the accounts room: the audit trail (AuditEvent lives in the
infrastructure package, which knows no roles)."""

from django.db.models import QuerySet

from accounts.models import Role
from portal.lib.models import AuditEvent


def audit_events_for(user) -> QuerySet[AuditEvent]:
    """The registrar reads the trail of their institution; admins read everything."""
    if not user.is_authenticated:
        return AuditEvent.objects.none()
    if user.is_admin:
        return AuditEvent.objects.all()
    if user.role == Role.REGISTRAR and user.institution_id:
        return AuditEvent.objects.of_institution(user.institution_id)
    return AuditEvent.objects.none()
