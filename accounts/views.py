"""Account pages: registration and its duplicate-ID and duplicate-phone routes, log-in
by any identifier, self-service, the identity check of pending accounts, and the
identity reviewers' queue. Views parse, call a service, and render."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import forms
from accounts.decorators import role_required
from accounts.devices import remember_device
from accounts.errors import AccountError, DuplicateIdNumber, PhoneInUse
from accounts.models import (
    AccountState,
    AssistState,
    ClaimState,
    ClassmateAssist,
    CodePurpose,
    IdentityClaim,
    IdentityRequest,
    RequestState,
    Role,
    mask_phone,
)
from accounts.services import claims, identity, selfservice
from accounts.services.codes import code_send, normalize_destination
from accounts.services.registration import Registration, account_register
from portal.lib.audit import StudentRef, log_access
from portal.lib.files import private_file_response
from portal.lib.throttle import client_ip

BACKEND = "accounts.backends.IdentifierBackend"


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = forms.LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        remember_device(self.request, response, form.get_user())
        return response


def admin_login(request):
    """/admin/login/ is the portal's log-in: the same throttle (and second factor) for
    the admins as for everyone, with the admin page to come back to. A signed-in person
    whom the admin does not let in is refused (no redirect loop)."""
    if request.user.is_authenticated:
        raise PermissionDenied
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    return redirect_to_login(next_url or reverse("admin:index"))


class LogoutView(auth_views.LogoutView):
    template_name = "accounts/logged_out.html"


def _masked(destination: str) -> str:
    if "@" in destination:
        name, _at, domain = destination.partition("@")
        return f"{name[:2]}***@{domain}"
    return mask_phone(destination)


def _send_code(request, purpose: str, destination: str) -> None:
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
            request, _("验证码已发送至 %(to)s，10 分钟内有效。") % {"to": _masked(destination)}
        )


def _unbound(form_class, request, *, secret=("password1", "password2", "code")):
    """The form again after "获取验证码", with what was typed but no error messages."""
    initial = {
        k: v for k, v in request.POST.items() if k not in secret and k != "csrfmiddlewaretoken"
    }
    return form_class(initial=initial)


# Registration ------------------------------------------------------------------------


def register(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = forms.RegistrationForm(request.POST or None)
    context = {}
    if request.method == "POST" and request.POST.get("action") == "send_code":
        destination = request.POST.get("phone") or request.POST.get("email", "")
        _send_code(request, CodePurpose.REGISTER, destination)
        form = _unbound(forms.RegistrationForm, request)
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
    context["dispute_window"] = claims.dispute_window_phrase()
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


# Self-service -------------------------------------------------------------------------


def find_username(request):
    form = forms.ContactCodeForm(request.POST or None)
    usernames = None
    if request.method == "POST" and request.POST.get("action") == "send_code":
        _send_code(request, CodePurpose.FIND_USERNAME, request.POST.get("destination", ""))
        form = _unbound(forms.ContactCodeForm, request)
    elif request.method == "POST" and form.is_valid():
        try:
            usernames = selfservice.username_find(**form.cleaned_data, ip=client_ip(request))
        except AccountError as error:
            form.add_error(None, error.message)
    return render(request, "accounts/find_username.html", {"form": form, "usernames": usernames})


def password_reset(request):
    form = forms.PasswordResetForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "send_code":
        _send_code(request, CodePurpose.RESET_PASSWORD, request.POST.get("destination", ""))
        form = _unbound(forms.PasswordResetForm, request)
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


def _state_required(state: str, elsewhere: str):
    """Logged in, with an account in `state`; any other state goes to `elsewhere`
    (pending accounts see only their identity page, active ones never see it)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.user.state != state:
                return redirect(elsewhere)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


_active_required = _state_required(AccountState.ACTIVE, "accounts:identity")
_pending_required = _state_required(AccountState.PENDING, "home")


def _account_context(request, **forms_in_use) -> dict:
    """Every section of the account page; `forms_in_use` replace the blank forms (a
    refused form comes back with its errors, the other sections stay)."""
    user = request.user
    context = {
        "username_form": forms.UsernameChangeForm(initial={"username": user.username}),
        "phone_form": forms.PhoneChangeForm(),
        "email_form": forms.EmailChangeForm(),
        "requests": IdentityRequest.objects.filter(user=user)
        .prefetch_related("claims")
        .order_by("-created_at"),
        "assists": ClassmateAssist.objects.filter(
            classmate=user, state=AssistState.PENDING
        ).select_related("requester"),
    }
    context.update(forms_in_use)
    return context


@_active_required
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
@_active_required
def username_change(request):
    def handler(data):
        selfservice.username_change(
            user=request.user, username=data["username"], ip=client_ip(request)
        )

    return _account_form(request, forms.UsernameChangeForm, "username_form", handler)


@require_POST
@_active_required
def phone_change(request):
    if request.POST.get("action") == "send_code":
        _send_code(request, CodePurpose.CHANGE_PHONE, request.POST.get("phone", ""))
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
@_active_required
def email_change(request):
    if request.POST.get("action") == "send_code":
        _send_code(request, CodePurpose.CHANGE_EMAIL, request.POST.get("email", ""))
        return redirect("accounts:account")

    def handler(data):
        selfservice.email_change(
            user=request.user, email=data["email"], code=data["code"], ip=client_ip(request)
        )

    return _account_form(request, forms.EmailChangeForm, "email_form", handler)


@_active_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = selfservice.password_change(
            user=request.user, password=form.cleaned_data["new_password1"], ip=client_ip(request)
        )
        update_session_auth_hash(request, user)  # this session stays; every other one ends
        messages.success(request, _("密码已修改，其他设备上的登录已失效。"))
        return redirect("accounts:account")
    return render(request, "accounts/password_change.html", {"form": form})


@_active_required
def phone_request(request):
    form = forms.PhoneRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            identity.phone_request_submit(
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


@_active_required
def real_name_change(request):
    form = forms.RealNameChangeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            identity.real_name_change_submit(
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


# Identity check of a pending account ---------------------------------------------------


def _identity_context(request, **forms_in_use):
    user = request.user
    today, in_all = identity.uploads_left(user)
    claim = claims.last_claim_of(user)
    context = {
        "photos_form": forms.IdPhotosForm(),
        "classmate_form": forms.ClassmateForm(),
        "facts_form": forms.FactsForm(),
        "uploads_today": today,
        "uploads_in_all": in_all,
        "requests": IdentityRequest.objects.filter(user=user)
        .prefetch_related("claims")
        .order_by("-created_at"),
        "assists": ClassmateAssist.objects.filter(requester=user).select_related("classmate"),
        "claim": claim,
        "claim_text": claims.claim_ready_text(claim)
        if claim and claim.state == ClaimState.READY
        else "",
        "dispute_window": claims.dispute_window_phrase(),
    }
    context.update(forms_in_use)
    return context


@_pending_required
def identity_page(request):
    # The claimant opening her page completes her claim if its window has passed (the
    # worker's task and `complete_claims` do it otherwise): one indexed query.
    if claims.claims_complete_due(claimant=request.user):
        request.user.refresh_from_db()
        if request.user.state == AccountState.ACTIVE:
            messages.success(request, _("等待期已满，身份核验已生效，您的账号已可正常使用。"))
            return redirect("home")
    return render(request, "accounts/identity.html", _identity_context(request))


@require_POST
@_pending_required
def identity_photos(request):
    form = forms.IdPhotosForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            identity.id_photos_submit(
                user=request.user,
                front=form.cleaned_data["front"],
                back=form.cleaned_data["back"],
                ip=client_ip(request),
            )
        except AccountError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("上传成功，请等待客服审核（三个工作日内），并及时登录查看审核结果。")
            )
            return redirect("accounts:identity")
    return render(request, "accounts/identity.html", _identity_context(request, photos_form=form))


@require_POST
@_pending_required
def identity_classmate(request):
    form = forms.ClassmateForm(request.POST)
    if form.is_valid():
        try:
            identity.classmate_assist_request(
                requester=request.user, **form.cleaned_data, ip=client_ip(request)
            )
        except AccountError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已通知该同学，同学登录确认后即完成核验。"))
            return redirect("accounts:identity")
    return render(
        request, "accounts/identity.html", _identity_context(request, classmate_form=form)
    )


@require_POST
@_pending_required
def identity_facts(request):
    form = forms.FactsForm(request.POST)
    if form.is_valid():
        try:
            claim = identity.identity_facts_check(
                user=request.user, **form.cleaned_data, ip=client_ip(request)
            )
        except AccountError as error:
            form.add_error(None, error.message)
        else:
            if claim is None:
                messages.success(request, _("身份核验通过，您的账号已可正常使用。"))
                return redirect("home")
            messages.success(request, claims.claim_ready_text(claim))
            return redirect("accounts:identity")
    return render(request, "accounts/identity.html", _identity_context(request, facts_form=form))


@require_POST
@_active_required
def assist_decide(request, pk: int):
    assist = get_object_or_404(
        ClassmateAssist, pk=pk, classmate=request.user, state=AssistState.PENDING
    )
    try:
        identity.classmate_assist_decide(
            assist=assist,
            classmate=request.user,
            confirm=request.POST.get("confirm") == "yes",
            ip=client_ip(request),
        )
    except AccountError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已处理同学的协助请求。"))
    return redirect("accounts:account")


@login_required
def identity_image(request, token: str, side: str):
    """Uploaded ID images: the owner and the identity reviewers only, never a public URL."""
    obj = get_object_or_404(IdentityRequest.objects.visible_to(request.user), token=token)
    field = {"front": obj.front_image, "back": obj.back_image}.get(side)
    if not field:
        raise PermissionDenied
    if obj.user_id != request.user.pk:
        # An identity reviewer opening the scan itself (PIPL: sensitive personal data).
        log_access(
            request.user,
            "accounts.identity_image_viewed",
            obj,
            students=[StudentRef(user_id=obj.user_id)],
            changes={"side": side},
            request=request,
        )
    content_type = "image/png" if field.name.endswith(".png") else "image/jpeg"
    return private_file_response(field, content_type=content_type)


# The identity reviewers' queue ---------------------------------------------------------


@role_required(Role.IDENTITY_REVIEWER)
def identity_queue(request):
    """Pending requests, oldest first, with their age against the 3-working-day target."""
    pending = (
        IdentityRequest.objects.filter(state=RequestState.PENDING)
        .select_related("user")
        .order_by(F("created_at").asc())
    )
    disputed = (
        IdentityClaim.objects.for_reviewers()
        .select_related("claimant", "holder")
        .order_by("ready_at")
    )
    return render(
        request,
        "accounts/identity_queue.html",
        {"pending": pending, "target": identity.REVIEW_TARGET, "disputed": disputed},
    )


@role_required(Role.IDENTITY_REVIEWER)
def identity_request_detail(request, pk: int):
    req = get_object_or_404(
        IdentityRequest.objects.visible_to(request.user).select_related("user", "reviewer"), pk=pk
    )
    if request.method == "GET":
        identity.identity_request_viewed(req=req, by=request.user, ip=client_ip(request))
    form = forms.ReviewDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "approve":
                identity.identity_request_approve(req=req, by=request.user, ip=client_ip(request))
            else:
                identity.identity_request_reject(
                    req=req,
                    by=request.user,
                    reason=data["reason"],
                    note=data["note"],
                    ip=client_ip(request),
                )
        except AccountError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("审核结果已保存。"))
            return redirect("accounts:identity_queue")
    context = {
        "req": req,
        "form": form,
        "other_holders": identity.accounts_cancelled_by_request(req),
        "phone_holder": identity.phone_holder(req),
    }
    return render(request, "accounts/identity_request_detail.html", context)


# Identity claims: the holder's answers and the reviewers' decisions -----------------------


def _own_claim(request, pk: int) -> IdentityClaim:
    return get_object_or_404(
        IdentityClaim.objects.visible_to(request.user), pk=pk, holder=request.user
    )


@require_POST
@_active_required
def claim_object(request, pk: int):
    """不是我本人操作."""
    claim = _own_claim(request, pk)
    try:
        claims.claim_object(claim_id=claim.pk, holder=request.user, ip=client_ip(request))
    except AccountError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("已提出异议：该申领已冻结并转客服核实，您的账号和信息不受影响。")
        )
    return redirect("home")


@_active_required
def claim_confirm(request, pk: int):
    """这是我本人的新账号 (or, on the phone route, 同意转出该手机号): a page that says what
    it does first (her account is cancelled, or her phone moves), then a POST."""
    claim = _own_claim(request, pk)
    form = forms.PasswordAgainForm(request.user, request.POST or None)
    if request.method != "POST" or not form.is_valid():
        # The banner's buttons would only lead back here: the page says it all.
        context = {"claim": claim, "form": form, "hide_claim_banner": True}
        return render(request, "accounts/claim_confirm.html", context)
    try:
        claim = claims.claim_confirm_by_holder(
            claim_id=claim.pk, holder=request.user, ip=client_ip(request)
        )
    except AccountError as error:
        messages.error(request, error.message)
        return redirect("home")
    if claim.route == "phone":
        messages.success(request, _("已确认：该手机号已从您的账号解除，转入申请的账号。"))
        return redirect("home")
    logout(request)
    messages.success(
        request, _("已确认：本账号已注销，学籍等信息已转入您的新账号，请用新账号登录。")
    )
    return redirect("accounts:login")


@role_required(Role.IDENTITY_REVIEWER)
def identity_claim_detail(request, pk: int):
    """Both accounts side by side: their audit events, requests and bindings."""
    claim = get_object_or_404(
        IdentityClaim.objects.visible_to(request.user).select_related(
            "claimant", "holder", "decided_by", "request"
        ),
        pk=pk,
    )
    if request.method == "GET":
        claims.claim_viewed(claim=claim, by=request.user, ip=client_ip(request))
    form = forms.ClaimDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                claims.claim_review_approve(claim=claim, by=request.user, ip=client_ip(request))
            else:
                claims.claim_review_reject(
                    claim=claim,
                    by=request.user,
                    note=form.cleaned_data["note"],
                    ip=client_ip(request),
                )
        except AccountError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("申领处理结果已保存。"))
            return redirect("accounts:identity_queue")
    sides = [
        (_("申领账号"), claims.account_history(claim.claimant)),
        (_("原账号"), claims.account_history(claim.holder)),
    ]
    return render(
        request,
        "accounts/identity_claim_detail.html",
        {"claim": claim, "form": form, "sides": sides},
    )
