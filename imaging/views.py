"""Photo files, served only through the viewer's scope (docs/security.md: never public), the
student's 图像校对 (正确 after a second confirmation, 有误 with a reason, the quality
rating), and the public directory of collection units."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.decorators import student_required
from imaging import selectors, services
from imaging.access import own_photo, photo_for_read, verification_to_rate
from imaging.errors import PhotoError
from imaging.forms import DisputeForm, RatingForm
from imaging.models import DisputeReason
from portal.lib.audit import log_access
from portal.lib.files import private_file_response
from portal.lib.throttle import client_ip
from records.codes import province_name


def _log_staff_view(request, photo, action: str) -> None:
    """Staff looking at a person's face is itself recorded (docs/security.md, PIPL): one event
    per file served, the thumbnail too. A page only links the files, and a file can be
    fetched without its page, so the file request is what is recorded; it costs two small
    INSERTs, and a page of 50 thumbnails is 50 events a reload (no-store: not cached)."""
    if photo.record.user_id != request.user.pk:
        log_access(request.user, action, photo, students=[photo.record], ip=client_ip(request))


@login_required
def photo_file(request, token: str):
    photo = photo_for_read(request, token)
    _log_staff_view(request, photo, "imaging.photo_viewed")
    return private_file_response(photo.image, content_type=photo.content_type)


@login_required
def photo_thumbnail(request, token: str):
    photo = photo_for_read(request, token)
    _log_staff_view(request, photo, "imaging.thumbnail_viewed")
    return private_file_response(photo.thumbnail, content_type=photo.content_type)


def _back(photo) -> str:
    return f"{reverse('records:my_records')}#photo-{photo.token}"


def _refuse_unless(request, photo, allowed: bool, message: str):
    if not allowed:
        messages.error(request, message)
        return redirect(_back(photo))
    return None


@student_required
def photo_confirm(request, token: str):
    """正确: a page that asks again (seed 004's 再次确认 dialog, without JavaScript)."""
    photo = own_photo(request, token)
    if request.method == "POST":
        try:
            services.photo_confirm(photo=photo, by=request.user, ip=client_ip(request))
        except PhotoError as error:
            messages.error(request, error.message)
            return redirect(_back(photo))
        messages.success(request, _("已确认：照片正确。您可以对照片质量进行评价。"))
        return redirect("imaging:photo_rate", token=photo.token)
    refused = _refuse_unless(
        request, photo, services.photo_verifiable(photo=photo), _("该照片不能再校对。")
    )
    return refused or render(request, "imaging/photo_confirm.html", {"photo": photo})


@student_required
def photo_dispute(request, token: str):
    """有误: the reason, then a second page that shows it back and asks again; then the
    record page shows whom to contact (seed 003: 新华社勘误)."""
    photo = own_photo(request, token)
    refused = _refuse_unless(
        request, photo, services.photo_verifiable(photo=photo), _("该照片不能再校对。")
    )
    if refused:
        return refused
    form = DisputeForm(request.POST or None)
    confirming = False
    if request.method == "POST" and form.is_valid():
        # Asked again, as 正确 is (seed 004: 再次确认): the reason is shown back first.
        if request.POST.get("confirmed") != "1":
            confirming = "edit" not in request.POST
        else:
            try:
                services.photo_dispute(
                    photo=photo, by=request.user, **form.cleaned_data, ip=client_ip(request)
                )
            except PhotoError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request, _("已提交：照片有误。请按下方说明联系图像采集单位（新华社）勘误。")
                )
                return redirect(_back(photo))
    context = {
        "photo": photo,
        "form": form,
        "confirming": confirming,
        "reason_label": DisputeReason(form.cleaned_data["reason"]).label if confirming else "",
        "units": selectors.collection_units_for(photo.record),
    }
    return render(request, "imaging/photo_dispute.html", context)


@student_required
def photo_rate(request, token: str):
    """照片质量评价 (seed 004), after 正确; optional."""
    photo = own_photo(request, token)
    may_rate = verification_to_rate(request, photo) is not None
    refused = _refuse_unless(request, photo, may_rate, _("该照片现在不能评价。"))
    if refused:
        return refused
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.photo_rate(
                photo=photo, by=request.user, **form.cleaned_data, ip=client_ip(request)
            )
        except PhotoError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("感谢您的评价。"))
            return redirect(_back(photo))
    return render(request, "imaging/photo_rate.html", {"photo": photo, "form": form})


def collection_units(request):
    """各省市图像采集单位 联系方式: public, grouped by province; `?province=` (a student's
    link from their record page) puts that province first."""
    asked = request.GET.get("province", "")
    groups, none_there = selectors.collection_units_by_province(asked)
    missing = province_name(asked) if none_there else ""
    context = {"provinces": groups, "missing": missing}
    return render(request, "imaging/collection_units.html", context)
