"""The accounts of one document (type and number): what an identity claim and its
approval act on, what they lock, and what the reviewer's page lists.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.errors import AccountError
from accounts.models import AccountState, User


def id_holders(user: User):
    """Every live account of `user`'s document, `user` included: what a claim and its
    approval act on, and what the reviewer's page lists."""
    return (
        User.objects.filter(id_type=user.id_type, id_number=user.id_number)
        .exclude(id_number="")
        .exclude(state=AccountState.CANCELLED)
        .order_by("pk")
    )


def accounts_cancelled_by_approval(user: User):
    """The accounts that approving `user`'s identity cancels (identity_approve): every
    other live account of her document (type and number); none when she is not pending,
    since then nothing is approved. The reviewer's page lists these, so that it never
    says more or less than the approval does."""
    if user.state != AccountState.PENDING:
        return User.objects.none()
    return id_holders(user).exclude(pk=user.pk)


def lock_id_holders(user: User) -> tuple[User, list[User]]:
    """Lock every live account of `user`'s ID number, in key order (so that concurrent
    checks and completions never deadlock); return the pending `user` among them, or
    AccountError when she is pending no longer. Call inside a transaction."""
    holders = list(id_holders(user).select_for_update())
    me = next((u for u in holders if u.pk == user.pk), None)
    if me is None or me.state != AccountState.PENDING:
        raise AccountError(_("该账号已不在待核验状态（可能已被处理或已注销）。"))
    return me, holders
