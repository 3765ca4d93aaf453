"""The one door of the accounts pages: every object a view acts on is fetched here,
within what the person may see (404 outside it); roles are checked by the decorators
(accounts.decorators) before. Also who may read what of the audit trail (AuditEvent
lives in the infrastructure package, which knows no roles)."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import (
    AssistState,
    ClassmateAssist,
    IdentityClaim,
    IdentityRequest,
    Role,
)
from portal.lib.models import AuditEvent


def identity_request_for_review(request, pk: int) -> IdentityRequest:
    """A request of the reviewers' queue, with its account and reviewer."""
    queryset = IdentityRequest.objects.visible_to(request.user).select_related("user", "reviewer")
    return get_object_or_404(queryset, pk=pk)


def identity_image_for_read(request, token: str) -> IdentityRequest:
    """The request whose uploaded ID images are read: the owner's own, or any for the
    identity reviewers."""
    return get_object_or_404(IdentityRequest.objects.visible_to(request.user), token=token)


def assist_for_decide(request, pk: int) -> ClassmateAssist:
    """A classmate's request that waits for this person's answer."""
    return get_object_or_404(
        ClassmateAssist, pk=pk, classmate=request.user, state=AssistState.PENDING
    )


def claim_for_holder(request, pk: int) -> IdentityClaim:
    """A claim against this person's account (she answers it)."""
    return get_object_or_404(
        IdentityClaim.objects.visible_to(request.user), pk=pk, holder=request.user
    )


def claim_for_review(request, pk: int) -> IdentityClaim:
    """A claim as the reviewers see it, with both accounts and its source."""
    queryset = IdentityClaim.objects.visible_to(request.user).select_related(
        "claimant", "holder", "decided_by", "request"
    )
    return get_object_or_404(queryset, pk=pk)


def audit_events_for(user) -> QuerySet[AuditEvent]:
    """The registrar reads the trail of their institution; admins read everything."""
    if not user.is_authenticated:
        return AuditEvent.objects.none()
    if user.is_admin:
        return AuditEvent.objects.all()
    if user.role == Role.REGISTRAR and user.institution_id:
        return AuditEvent.objects.of_institution(user.institution_id)
    return AuditEvent.objects.none()
