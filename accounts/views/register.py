"""Registration, with its duplicate-ID (我要重新注册) and duplicate-phone routes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts import forms
from accounts.devices import remember_device
from accounts.errors import AccountError, DuplicateIdNumber, PhoneInUse
from accounts.models import AccountState, CodePurpose
from accounts.services.claim_messages import dispute_window_phrase
from accounts.services.registration import Registration, account_register
from accounts.views.auth import BACKEND
from accounts.views.codes import send_code, unbound
from portal.lib.throttle import client_ip


def register(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = forms.RegistrationForm(request.POST or None)
    context = {}
    if request.method == "POST" and request.POST.get("action") == "send_code":
        destination = request.POST.get("phone") or request.POST.get("email", "")
        send_code(request, CodePurpose.REGISTER, destination)
        form = unbound(forms.RegistrationForm, request)
    elif request.method == "POST" and form.is_valid():
        user = _register(request, form, context)
        if user is not None:
            login(request, user, backend=BACKEND)
            if user.state == AccountState.PENDING:
                response = redirect("accounts:identity")
            else:
                messages.success(request, _("注册成功。请点击“学籍信息”查看并核对本人学籍。"))
                response = redirect("home")
            # Her own browser from now on, as after any log-in: guesses at her account
            # from elsewhere never slow it down (accounts.devices).
            remember_device(request, response, user)
            return response
    context["form"] = form
    context["dispute_window"] = dispute_window_phrase()
    return render(request, "accounts/register.html", context)


def _register(request, form, context):
    data = form.cleaned_data
    registration = Registration(
        real_name=data["real_name"].strip(),
        id_type=data["id_type"],
        id_number=data["id_number"],
        phone=data.get("phone", ""),
        email=(data.get("email") or "").lower(),
        username=data["username"],
        password=data["password1"],
    )
    try:
        return account_register(
            data=registration,
            code=data["code"],
            reregister=data.get("reregister", False),
            take_over_phone=data.get("take_over_phone", False),
            ip=client_ip(request),
        )
    except DuplicateIdNumber as error:
        context["duplicate_id"] = True
        form.add_error("id_number", error.message)
    except PhoneInUse as error:
        context["phone_in_use"] = True
        form.add_error("phone", error.message)
    except AccountError as error:
        form.add_error(None, error.message)
    return None


def terms(request):
    """服务条款和个人信息处理规则, open to everyone: the registration form's consent links
    here, so that she reads what she agrees to before she has an account."""
    return render(request, "accounts/terms.html")
