"""Accounts (学信档案账号): the custom user, its identity state and its role (users), the
verification codes (codes), and the requests, classmates' help and claims that put an
identity right (identity). Imported from here: `from accounts.models import User`."""

from accounts.models.codes import CodePurpose, VerificationCode
from accounts.models.identity import (
    OPEN_CLAIM_STATES,
    AssistState,
    ClaimRoute,
    ClaimState,
    ClassmateAssist,
    IdentityClaim,
    IdentityClaimQuerySet,
    IdentityRequest,
    IdentityRequestQuerySet,
    RejectReason,
    RequestKind,
    RequestState,
    identity_image_path,
)
from accounts.models.messages import MessageChannel, MessageKind, MessageState, OutboxMessage
from accounts.models.users import (
    STAFF_ROLES,
    AccountState,
    IdType,
    Role,
    User,
    UserManager,
    mask_phone,
)

__all__ = [
    "OPEN_CLAIM_STATES",
    "STAFF_ROLES",
    "AccountState",
    "AssistState",
    "ClaimRoute",
    "ClaimState",
    "ClassmateAssist",
    "CodePurpose",
    "IdType",
    "IdentityClaim",
    "IdentityClaimQuerySet",
    "IdentityRequest",
    "IdentityRequestQuerySet",
    "MessageChannel",
    "MessageKind",
    "MessageState",
    "OutboxMessage",
    "RejectReason",
    "RequestKind",
    "RequestState",
    "Role",
    "User",
    "UserManager",
    "VerificationCode",
    "identity_image_path",
    "mask_phone",
]
