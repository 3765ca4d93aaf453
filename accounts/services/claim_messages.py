"""What the parties of an identity claim are told and shown: the dispute window in
words, the texts sent to the holder and the claimant, and the open claims their pages
show (accounts.services.claims makes and completes the claims).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ClaimRoute, ClaimState, IdentityClaim, User, mask_phone
from accounts.notify import notify
from portal.lib.throttle import wait_phrase


def dispute_window() -> timedelta:
    return timedelta(seconds=settings.IDENTITY_DISPUTE_WINDOW)


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _claimant_label(claim: IdentityClaim) -> str:
    phone = mask_phone(claim.claimant.phone)
    return phone or _("（未绑定手机号）")


def tell_holder(claim: IdentityClaim) -> None:
    """Every channel she has: SMS and e-mail here, the banner through claim_alert_at.
    On the phone route the SMS goes to the very number claimed, so the e-mail and the
    banner carry the same words."""
    values = {
        "when": _when(claim.ready_at),
        "route": claim.get_route_display(),
        "phone": _claimant_label(claim),
        "until": _when(claim.takes_effect_at) if claim.takes_effect_at else "",
        "number": mask_phone(claim.phone),
    }
    if claim.route == ClaimRoute.PHONE:
        text = _(
            "%(when)s 客服审核通过了另一账号（手机号 %(phone)s）对您账号绑定的手机号 "
            "%(number)s 的归属申请。如无异议，该手机号将于 %(until)s 从您的账号解除并转入对方"
            "账号。如果这不是您本人的申请，请在此之前登录学籍校对，点击“不是我本人操作”。"
        )
    elif claim.state == ClaimState.REVIEW:
        text = _(
            "%(when)s 有人通过“%(route)s”申领您账号的证件号码（申领账号手机号 %(phone)s）。"
            "您的账号不会因此自动注销，该申领已转客服核实。如果不是您本人操作，请登录学籍"
            "校对点击“不是我本人操作”。"
        )
    else:
        text = _(
            "%(when)s 有人通过“%(route)s”申领您账号的证件号码（申领账号手机号 %(phone)s）。"
            "如无异议，将于 %(until)s 生效：您的账号将被注销，学籍、学历等信息转入新账号。"
            "如果不是您本人操作，请在此之前登录学籍校对，点击“不是我本人操作”；如果是您本人"
            "的新账号，可登录后点击“这是我本人的新账号”立即完成。"
        )
    notify(claim.holder, text % values)


def dispute_window_phrase() -> str:
    """The dispute window in the person's words ("72 小时"), for the pages announcing it."""
    return wait_phrase(int(dispute_window().total_seconds()))


def claim_ready_text(claim: IdentityClaim) -> str:
    """What the claimant is told once her check has passed: in the text and e-mail, in
    the message after the check, and on her identity page (one sentence for the three)."""
    if claim.state == ClaimState.REVIEW:
        text = _("您的身份核验已通过，已转客服核实原账号，请等待处理结果。")
    elif claim.route == ClaimRoute.PHONE:
        text = _(
            "您的手机号申请审核已通过。该手机号目前绑定在另一账号上，已通知其持有人；如无异议，"
            "将于 %(until)s 转入您的账号。"
        ) % {"until": _when(claim.takes_effect_at)}
    else:
        text = _(
            "您的身份核验已通过。使用该证件号码的原账号已收到通知；如无异议，将于 %(until)s "
            "生效，届时您的账号即可正常使用。"
        ) % {"until": _when(claim.takes_effect_at)}
    return text


def tell_claimant_ready(claim: IdentityClaim) -> None:
    notify(claim.claimant, claim_ready_text(claim))


# What the parties see ----------------------------------------------------------------------


def claims_against(user: User):
    """Open claims against `user`, for the banner: queried only when claim_alert_at says
    there is one."""
    if not getattr(user, "claim_alert_at", None):
        return []
    return list(
        IdentityClaim.objects.open().filter(holder=user).select_related("claimant").order_by("pk")
    )


def open_claim_of(user: User) -> IdentityClaim | None:
    return (
        IdentityClaim.objects.open()
        .filter(claimant=user)
        .exclude(route=ClaimRoute.PHONE)
        .select_related("holder")
        .first()
    )


def last_claim_of(user: User) -> IdentityClaim | None:
    """Her open ID-number claim, or else the last one that ended, so that her page can
    say where it stands (waiting, objected to, with the reviewers, refused and why)."""
    return (
        IdentityClaim.objects.filter(claimant=user)
        .exclude(route=ClaimRoute.PHONE)
        .order_by("-ready_at", "-pk")
        .first()
    )
