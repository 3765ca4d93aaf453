"""The portal app's tables live in the infrastructure package (portal/lib/models.py), under
the `portal` app label: importing them here is how Django finds them."""

from portal.lib.models import (  # noqa: F401
    AuditEvent,
    AuditSubject,
    Job,
    ThrottleCounter,
    WorkerHeartbeat,
)
