"""The identity check of an account pending because its ID number was already
registered: her page with every route, the hand-held photos route, the classmate's
answer to a request, and the uploaded ID images. The routes that prove an identity by
the records (facts, a classmate) live above accounts (records.identity) and show on the
page through accounts.identity_routes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import access, forms, selectors
from accounts.decorators import active_required, pending_required
from accounts.errors import AccountError, AlreadySubmitted
from accounts.identity_routes import proof_sections
from accounts.models import AccountState, ClaimState
from accounts.services import assists, claim_messages, claims, identity_requests
from portal.lib.audit import StudentRef, log_access
from portal.lib.files import private_file_response
from portal.lib.throttle import client_ip


def _identity_context(request, *, photos_form=None, proof_form=None) -> dict:
    """Every section of the identity page; a refused form comes back with its errors in
    its own section, the other sections stay blank."""
    user = request.user
    today, in_all = identity_requests.uploads_left(user)
    claim = claim_messages.last_claim_of(user)
    return {
        "photos_form": photos_form or forms.IdPhotosForm(),
        "proof_sections": proof_sections(refused=proof_form),
        "uploads_today": today,
        "uploads_in_all": in_all,
        "photos_pending": identity_requests.photos_pending(user),
        "upload_limits": {
            "max_bytes": identity_requests.ID_PHOTO_MAX_BYTES,
            "min_side": identity_requests.ID_PHOTO_MIN_SIDE,
            "max_pixels": identity_requests.ID_PHOTO_MAX_PIXELS,
        },
        "requests": selectors.requests_of(user),
        "assists": selectors.assists_asked_by(user),
        "claim": claim,
        "claim_text": claim_messages.claim_ready_text(claim)
        if claim and claim.state == ClaimState.READY
        else "",
        "dispute_window": claim_messages.dispute_window_phrase(),
    }


def render_identity_page(request, *, photos_form=None, proof_form=None):
    """The identity page again, with a refused form: for this app's routes and for the
    routes registered from above (accounts.identity_routes)."""
    context = _identity_context(request, photos_form=photos_form, proof_form=proof_form)
    return render(request, "accounts/identity.html", context)


@pending_required
def identity_page(request):
    # The claimant opening her page completes her claim if its window has passed (the
    # worker's task and `complete_claims` do it otherwise): one indexed query.
    if claims.claims_complete_due(claimant=request.user):
        request.user.refresh_from_db()
        if request.user.state == AccountState.ACTIVE:
            messages.success(request, _("等待期已满，身份核验已生效，您的账号已可正常使用。"))
            return redirect("home")
    return render_identity_page(request)


@require_POST
@pending_required
def identity_photos(request):
    form = forms.IdPhotosForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            identity_requests.id_photos_submit(
                user=request.user,
                front=form.cleaned_data["front"],
                back=form.cleaned_data["back"],
                submission=form.cleaned_data["submission"],
                ip=client_ip(request),
            )
        except AlreadySubmitted as error:  # a double tap: the first sending stands
            messages.info(request, error.message)
            return redirect("accounts:identity")
        except AccountError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("上传成功，请等待客服审核（三个工作日内），并及时登录查看审核结果。")
            )
            return redirect("accounts:identity")
    return render_identity_page(request, photos_form=form)


@require_POST
@active_required
def assist_decide(request, pk: int):
    assist = access.assist_for_decide(request, pk)
    try:
        assists.classmate_assist_decide(
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
    obj = access.identity_image_for_read(request, token)
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
