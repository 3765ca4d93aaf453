"""The one way a phone is bound to an account, and the one way it is taken from one:
both audited with the numbers masked (registration, self-service, the reviewers'
phone requests and phone claims all go through here).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from accounts.errors import AccountError
from accounts.models import User, mask_phone
from accounts.notify import notify
from portal.lib.audit import log_action


@transaction.atomic
def release_phone(
    *, user: User, action: str, by: User | None, reason: str, message: str, ip=None
) -> None:
    """`user` keeps the account and its other identifiers and loses its phone, audited
    with the number masked. She is told by e-mail (and her banner where a claim is
    open), never by a text to the phone she has just lost."""
    phone = user.phone
    user.phone = ""
    user.save(update_fields=["phone"])
    log_action(
        user,
        action,
        by=by,
        subject=user,
        ip=ip,
        changes={"phone": [mask_phone(phone), ""]},
        reason=reason,
    )
    notify(user, message)  # user.phone is empty now: e-mail only


def give_phone(*, user: User, phone: str, by: User | None, taken: str, ip=None) -> None:
    """Bind `phone` to `user`, audited with masked numbers; AccountError(`taken`) when
    another live account holds it after all (the database constraint decides)."""
    before = user.phone
    user.phone = phone
    try:
        with transaction.atomic():  # the change and its audit event, or neither
            user.save(update_fields=["phone"])
            log_action(
                user,
                "accounts.phone_changed",
                by=by,
                subject=user,
                ip=ip,
                changes={"phone": [mask_phone(before), mask_phone(phone)]},
            )
    except IntegrityError as exc:
        user.phone = before
        raise AccountError(taken) from exc
