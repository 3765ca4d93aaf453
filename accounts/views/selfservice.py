"""What a person does for her own account: find the user name, reset the password, and
on the account page change user name, phone, e-mail and password, ask the reviewers for
a phone held by another account or for a change of real name."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import forms, selectors
from accounts.decorators import active_required
from accounts.errors import AccountError, PhoneInUse
from accounts.models import CodePurpose
from accounts.services import identity_requests, selfservice
from accounts.views.codes import send_code, unbound
from portal.lib.throttle import client_ip


def find_username(request):
    form = forms.ContactCodeForm(request.POST or None)
    usernames = None
    if request.method == "POST" and request.POST.get("action") == "send_code":
        send_code(request, CodePurpose.FIND_USERNAME, request.POST.get("destination", ""))
        form = unbound(forms.ContactCodeForm, request)
    elif request.method == "POST" and form.is_valid():
        try:
            usernames = selfservice.username_find(**form.cleaned_data, ip=client_ip(request))
        except AccountError as error:
            form.add_error(None, error.message)
    return render(request, "accounts/find_username.html", {"form": form, "usernames": usernames})


def password_reset(request):
    form = forms.PasswordResetForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "send_code":
        send_code(request, CodePurpose.RESET_PASSWORD, request.POST.get("destination", ""))
        form = unbound(forms.PasswordResetForm, request)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            selfservice.password_reset(
                destination=data["destination"],
                code=data["code"],
                password=data["password1"],
                ip=client_ip(request),
            )
        except AccountError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("密码已重置，请用新密码登录。"))
            return redirect("accounts:login")
    return render(request, "accounts/password_reset.html", {"form": form})


def _account_context(request, **forms_in_use) -> dict:
    """Every section of the account page; `forms_in_use` replace the blank forms (a
    refused form comes back with its errors, the other sections stay)."""
    user = request.user
    context = {
        "username_form": forms.UsernameChangeForm(initial={"username": user.username}),
        "phone_form": forms.PhoneChangeForm(),
        "email_form": forms.EmailChangeForm(),
        "requests": selectors.requests_of(user),
        "assists": selectors.assists_waiting_for(user),
    }
    context.update(forms_in_use)
    return context


@active_required
def account(request):
    return render(request, "accounts/account.html", _account_context(request))


def _account_form(request, form_class, key, handler):
    form = form_class(request.POST)
    if form.is_valid():
        try:
            handler(form.cleaned_data)
        except PhoneInUse:
            form.add_error(
                "phone",
                _("该手机号已被其他账号使用。如果此手机号为本人所有，请勾选下方选项后重新提交。"),
            )
        except AccountError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已保存。"))
            return redirect("accounts:account")
    return render(request, "accounts/account.html", _account_context(request, **{key: form}))


@require_POST
@active_required
def username_change(request):
    def handler(data):
        selfservice.username_change(
            user=request.user, username=data["username"], ip=client_ip(request)
        )

    return _account_form(request, forms.UsernameChangeForm, "username_form", handler)


@require_POST
@active_required
def phone_change(request):
    if request.POST.get("action") == "send_code":
        send_code(request, CodePurpose.CHANGE_PHONE, request.POST.get("phone", ""))
        return redirect("accounts:account")

    def handler(data):
        selfservice.phone_change(
            user=request.user,
            phone=data["phone"],
            code=data["code"],
            take_over=data["take_over"],
            ip=client_ip(request),
        )

    return _account_form(request, forms.PhoneChangeForm, "phone_form", handler)


@require_POST
@active_required
def email_change(request):
    if request.POST.get("action") == "send_code":
        send_code(request, CodePurpose.CHANGE_EMAIL, request.POST.get("email", ""))
        return redirect("accounts:account")

    def handler(data):
        selfservice.email_change(
            user=request.user, email=data["email"], code=data["code"], ip=client_ip(request)
        )

    return _account_form(request, forms.EmailChangeForm, "email_form", handler)


@active_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = selfservice.password_change(
            user=request.user,
            password=form.cleaned_data["new_password1"],
            ip=client_ip(request),
        )
        update_session_auth_hash(request, user)  # this session stays; every other one ends
        messages.success(request, _("密码已修改，其他设备上的登录已失效。"))
        return redirect("accounts:account")
    return render(request, "accounts/password_change.html", {"form": form})


@active_required
def phone_request(request):
    form = forms.PhoneRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            identity_requests.phone_request_submit(
                user=request.user,
                phone=form.cleaned_data["phone"],
                front=form.cleaned_data["front"],
                ip=client_ip(request),
            )
        except AccountError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("申请已提交，客服将在三个工作日内审核。"))
            return redirect("accounts:account")
    return render(request, "accounts/phone_request.html", {"form": form})


@active_required
def real_name_change(request):
    form = forms.RealNameChangeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            identity_requests.real_name_change_submit(
                user=request.user,
                real_name=data["real_name"].strip(),
                id_type=data["id_type"],
                id_number=data["id_number"],
                scan=data["scan"],
                note=data["note"],
                ip=client_ip(request),
            )
        except AccountError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("申请已提交，客服将在三个工作日内审核。"))
            return redirect("accounts:account")
    return render(request, "accounts/real_name_change.html", {"form": form})
