"""The registrar's notice pages: drafts, publishing, edits with their history, withdrawal
and attachments. Views parse, call a service, and render or redirect."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.models import Role
from notices import selectors
from notices.access import attachment_for_manage, institution_for_create, notice_for_manage
from notices.errors import NoticeError
from notices.forms import (
    AttachmentForm,
    NoticeForm,
    WithdrawForm,
    audience_formset,
    contact_formset,
)
from notices.models import NoticeState
from notices.services import notices as services
from portal.lib.throttle import client_ip

registrar_required = role_required(Role.REGISTRAR)


@registrar_required
def manage_list(request):
    state = request.GET.get("state", "")
    if state not in NoticeState.values:
        state = ""
    notices = selectors.notices_managed_by(request.user, state=state)
    page = Paginator(notices, 30).get_page(request.GET.get("page"))
    context = {"page": page, "state": state, "states": NoticeState.choices}
    return render(request, "notices/manage_list.html", context)


def _forms(request, notice, institution):
    data = request.POST if request.method == "POST" else None
    return (
        NoticeForm(data, instance=notice, institution=institution),
        audience_formset(data, notice=notice, institution=institution),
        contact_formset(data, notice=notice),
    )


def _valid(form, audience, contacts) -> bool:
    return all([form.is_valid(), audience.is_valid(), contacts.is_valid()])


def _rules(audience, contacts):
    rules = [f.rule for f in audience.forms if f.rule is not None]
    rows = [f.contact for f in contacts.forms if f.contact is not None]
    return rules, rows


@registrar_required
def notice_create(request):
    institution = institution_for_create(request)
    form, audience, contacts = _forms(request, None, institution)
    if request.method == "POST" and _valid(form, audience, contacts):
        rules, rows = _rules(audience, contacts)
        try:
            notice = services.notice_create(
                institution=institution,
                by=request.user,
                fields=form.notice_fields,
                audience=rules,
                contacts=rows,
                ip=client_ip(request),
            )
        except NoticeError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("草稿已保存。发布后学生才能看到。"))
            return redirect("notices:notice_manage", notice.pk)
    context = {"form": form, "audience": audience, "contacts": contacts, "notice": None}
    return render(request, "notices/notice_form.html", context)


@registrar_required
def notice_edit(request, pk: int):
    notice = notice_for_manage(request, pk)
    form, audience, contacts = _forms(request, notice, notice.institution)
    if request.method == "POST" and _valid(form, audience, contacts):
        rules, rows = _rules(audience, contacts)
        try:
            services.notice_update(
                notice=notice,
                by=request.user,
                fields=form.notice_fields,
                audience=rules,
                contacts=rows,
                reason=form.cleaned_data.get("reason", ""),
                ip=client_ip(request),
            )
        except NoticeError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("通知已保存，修改已记入修改记录。"))
            return redirect("notices:notice_manage", notice.pk)
    context = {"form": form, "audience": audience, "contacts": contacts, "notice": notice}
    return render(request, "notices/notice_form.html", context)


@registrar_required
def notice_manage(request, pk: int):
    notice = notice_for_manage(request, pk)
    context = {
        "notice": notice,
        "attachments": notice.attachments.all(),
        "audience_rules": notice.audience.select_related("college"),
        "history": selectors.notice_history(request.user, notice),
        "attachment_form": AttachmentForm(),
    }
    return render(request, "notices/notice_manage.html", context)


@registrar_required
def notice_publish(request, pk: int):
    """Publishing asks a second time: students are told at once."""
    notice = notice_for_manage(request, pk)
    if request.method == "POST":
        try:
            services.notice_publish(notice=notice, by=request.user, ip=client_ip(request))
        except NoticeError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("通知已发布。"))
        return redirect("notices:notice_manage", notice.pk)
    return render(request, "notices/notice_publish.html", {"notice": notice})


@registrar_required
def notice_withdraw(request, pk: int):
    notice = notice_for_manage(request, pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.notice_withdraw(
                notice=notice,
                by=request.user,
                reason=form.cleaned_data["reason"],
                ip=client_ip(request),
            )
        except NoticeError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("通知已撤回。"))
            return redirect("notices:notice_manage", notice.pk)
    return render(request, "notices/notice_withdraw.html", {"notice": notice, "form": form})


@require_POST
@registrar_required
def attachment_add(request, pk: int):
    notice = notice_for_manage(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                notice=notice,
                by=request.user,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
                is_public=form.cleaned_data["is_public"],
                ip=client_ip(request),
            )
        except NoticeError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("附件已上传。"))
            return redirect("notices:notice_manage", notice.pk)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("notices:notice_manage", notice.pk)


@require_POST
@registrar_required
def attachment_delete(request, token: str):
    attachment = attachment_for_manage(request, token)
    notice_pk = attachment.notice_id
    services.attachment_remove(attachment=attachment, by=request.user, ip=client_ip(request))
    messages.success(request, _("附件已删除。"))
    return redirect("notices:notice_manage", notice_pk)
