"""List querysets of the accounts pages, built fresh on each call."""

from __future__ import annotations

from django.db.models import F, QuerySet

from accounts.models import (
    AssistState,
    ClassmateAssist,
    IdentityClaim,
    IdentityRequest,
    RequestState,
    User,
)


def requests_of(user: User) -> QuerySet[IdentityRequest]:
    """Her requests to the reviewers, newest first, with the claims they made."""
    return (
        IdentityRequest.objects.filter(user=user).prefetch_related("claims").order_by("-created_at")
    )


def assists_asked_by(user: User) -> QuerySet[ClassmateAssist]:
    return ClassmateAssist.objects.filter(requester=user).select_related("classmate")


def assists_waiting_for(user: User) -> QuerySet[ClassmateAssist]:
    """Classmates' requests that wait for her answer."""
    return ClassmateAssist.objects.filter(classmate=user, state=AssistState.PENDING).select_related(
        "requester"
    )


def pending_requests() -> QuerySet[IdentityRequest]:
    """The reviewers' queue: pending requests, oldest first."""
    return (
        IdentityRequest.objects.filter(state=RequestState.PENDING)
        .select_related("user")
        .order_by(F("created_at").asc())
    )


def claims_for_reviewers() -> QuerySet[IdentityClaim]:
    """Disputed claims and claims against staff accounts, oldest first."""
    return (
        IdentityClaim.objects.for_reviewers()
        .select_related("claimant", "holder")
        .order_by("ready_at")
    )
