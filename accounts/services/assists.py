"""大学同班同学协助, the accounts side: a request to a classmate, and the classmate's
answer. A confirmation passes the requester's identity check
(accounts.services.claims.identity_check_passed). Which account is a classmate is known
by the enrolment records: records.identity finds her and calls `assist_ask`.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.errors import AccountError
from accounts.models import AssistState, ClassmateAssist, User
from accounts.notify import notify
from accounts.services.claims import identity_check_passed
from portal.lib.audit import log_action


def assist_ask(*, requester: User, classmate: User) -> ClassmateAssist:
    """Ask `classmate` to confirm that `requester` is who she says (the classmate is
    found by the records: records.identity); one pending request per pair. The classmate
    is told once, when the request is made: asking again (a right guess costs nothing
    against the guess limits) must not text her again and again."""
    assist, created = ClassmateAssist.objects.get_or_create(
        requester=requester, classmate=classmate, state=AssistState.PENDING
    )
    if not created:
        return assist
    notify(
        classmate,
        _("同班同学 %(name)s 请求您协助核验身份，请登录学籍校对确认是否为本人。")
        % {"name": requester.real_name},
    )
    return assist


def classmate_assist_decide(
    *, assist: ClassmateAssist, classmate: User, confirm: bool, ip=None
) -> ClassmateAssist:
    if assist.classmate_id != classmate.pk or assist.state != AssistState.PENDING:
        raise AccountError(_("该协助请求已处理或不属于您。"))
    with transaction.atomic():
        assist.state = AssistState.CONFIRMED if confirm else AssistState.DECLINED
        assist.decided_at = timezone.now()
        assist.save(update_fields=["state", "decided_at"])
        log_action(
            assist.requester,
            f"accounts.classmate_{assist.state}",
            by=classmate,
            subject=assist.requester,
            ip=ip,
        )
        if confirm:
            identity_check_passed(user=assist.requester, by=classmate, route="classmate", ip=ip)
    return assist
