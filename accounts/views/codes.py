"""What the pages that send a verification code share: "获取验证码" and the form shown
again after it."""

from __future__ import annotations

from django.contrib import messages
from django.utils.translation import gettext as _

from accounts.errors import AccountError
from accounts.models import mask_phone
from accounts.services.codes import code_send, normalize_destination
from portal.lib.throttle import client_ip


def _masked(destination: str) -> str:
    if "@" in destination:
        name, _at, domain = destination.partition("@")
        return f"{name[:2]}***@{domain}"
    return mask_phone(destination)


def send_code(request, purpose: str, destination: str) -> None:
    destination = normalize_destination(destination)
    if not destination:
        messages.error(request, _("请先填写手机号或邮箱。"))
        return
    try:
        code_send(purpose=purpose, destination=destination, ip=client_ip(request))
    except AccountError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("验证码正在发送，请稍候：%(to)s，10 分钟内有效。") % {"to": _masked(destination)},
        )


def unbound(form_class, request, *, secret=("password1", "password2", "code")):
    """The form again after "获取验证码", with what was typed but no error messages."""
    initial = {
        k: v for k, v in request.POST.items() if k not in secret and k != "csrfmiddlewaretoken"
    }
    return form_class(initial=initial)
