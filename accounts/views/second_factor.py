"""Second-factor pages: verify a code after the password, enrol a device (QR code, the
secret in text, a first code, then ten recovery codes shown once), and the staff
member's own page (status, new recovery codes). Views parse, call
accounts.services.second_factor, and render."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login

from accounts.decorators import enrolment_allowed
from accounts.errors import AccountError
from accounts.forms import PasswordAgainForm
from accounts.second_factor import TRIES_KEY, mark_done, owed
from accounts.services import second_factor
from portal.lib.throttle import client_ip


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=gettext_lazy("动态验证码"),
        regex=r"^\s*\d{6}\s*$",
        max_length=20,
        error_messages={
            "required": gettext_lazy("请输入手机验证器上显示的 6 位数字。"),
            "invalid": gettext_lazy("动态验证码是 6 位数字，请核对后重新输入。"),
        },
        help_text=gettext_lazy(
            "打开手机上的验证器应用（如 Microsoft Authenticator、FreeOTP），查看“学籍校对”当前显示的 6 位数字。"
        ),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "autofocus": True,
                "size": 8,
            }
        ),
    )


class RecoveryCodeForm(forms.Form):
    recovery_code = forms.CharField(
        label=gettext_lazy("恢复码"),
        max_length=30,
        error_messages={"required": gettext_lazy("请输入一个未使用过的恢复码。")},
        help_text=gettext_lazy(
            "手机丢失或无法使用时，输入绑定时保存的恢复码之一；每个恢复码只能用一次。"
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


def _next(request) -> str:
    """Where the person goes once verified: the page the gate stopped (`next`, from the
    query or the form's hidden field, so it survives a wrong code) when it is ours, else
    the home page's URL (LOGIN_REDIRECT_URL may be a route name, never fit for an href)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _refuse(form: forms.Form, field: str, message: str) -> None:
    """A refused code: the message, and the field emptied for the next code (the wrong
    digits left in it would have the next code typed after them)."""
    form.add_error(None, message)
    form.data = form.data.copy()
    form.data[form.add_prefix(field)] = ""


def _verified(request, device) -> None:
    """The session now holds both factors: a new session key, as after a log-in."""
    request.session.cycle_key()
    otp_login(request, device)
    mark_done(request)


def verify(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if owed(request) != "accounts:second_factor_verify":
        return redirect(_next(request))
    recovery = "recovery_code" in request.POST
    code_form = CodeForm(request.POST if request.method == "POST" and not recovery else None)
    recovery_form = RecoveryCodeForm(request.POST if recovery else None)
    form = recovery_form if recovery else code_form
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["recovery_code" if recovery else "code"]
        try:
            device = second_factor.verify(user=request.user, code=code, ip=client_ip(request))
        except second_factor.CodeRefused as error:
            # Only codes that were checked count: one sent during the device's wait
            # (a quick retry) was never read and says nothing of who types it.
            tries = request.session.get(TRIES_KEY, 0) + (1 if error.checked else 0)
            request.session[TRIES_KEY] = tries
            if tries >= settings.OTP_SESSION_TRIES:
                logout(request)
                messages.error(request, _("验证码错误次数过多，已退出登录。请重新输入密码登录。"))
                return redirect("accounts:login")
            if recovery:
                form.add_error(None, error.message)  # kept: a long code's typo to correct
            else:
                _refuse(form, "code", error.message)
        except AccountError as error:
            form.add_error(None, error.message)
        else:
            _verified(request, device)
            return redirect(_next(request))
    return render(
        request,
        "accounts/second_factor_verify.html",
        {
            "form": code_form,
            "recovery_form": recovery_form,
            "recovery_open": recovery,
            "next": _next(request),
        },
    )


@enrolment_allowed
def enrol(request):
    user = request.user
    if second_factor.confirmed_device(user) is not None:
        messages.info(request, _("您已绑定手机验证器。"))
        return redirect("accounts:second_factor")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor.enrolment_confirm(
                user=user, code=form.cleaned_data["code"], ip=client_ip(request)
            )
        except second_factor.CodeRefused as error:
            _refuse(form, "code", error.message)
        except AccountError as error:
            form.add_error(None, error.message)
        else:
            _verified(request, second_factor.confirmed_device(user))
            return render(
                request,
                "accounts/second_factor_codes.html",
                {"codes": codes, "next": _next(request), "enrolled": True},
            )
    return render(
        request,
        "accounts/second_factor_enrol.html",
        {
            "form": form,
            "enrolment": second_factor.enrolment_start(user=user, session=request.session),
            "required": second_factor.must_enrol(user),
            "next": _next(request),
        },
    )


@enrolment_allowed
def manage(request):
    """两步验证: the staff member's own status and new recovery codes."""
    user = request.user
    regenerate = request.method == "POST" and request.POST.get("action") == "regenerate"
    # New codes undo the old ones and are a way in: the password once more, as for
    # giving an account away (whoever finds her session open on a shared computer cannot).
    form = PasswordAgainForm(user, request.POST if regenerate else None)
    if regenerate and form.is_valid():
        try:
            codes = second_factor.recovery_codes_regenerate(user=user, ip=client_ip(request))
        except AccountError as error:
            messages.error(request, error.message)
            return redirect("accounts:second_factor")
        return render(
            request,
            "accounts/second_factor_codes.html",
            {"codes": codes, "next": "", "enrolled": False},
        )
    return render(
        request,
        "accounts/second_factor.html",
        {
            "device": second_factor.confirmed_device(user),
            "codes_left": second_factor.recovery_codes_left(user),
            "required": second_factor.must_enrol(user),
            "form": form,
        },
    )
