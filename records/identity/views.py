"""The identity proof by records, posted from the accounts identity page: a refused
form comes back on that page (accounts.views.identity.render_identity_page)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import pending_required
from accounts.errors import AccountError
from accounts.services.claim_messages import claim_ready_text
from accounts.views.identity import render_identity_page
from portal.lib.throttle import client_ip
from records.identity import services
from records.identity.forms import ClassmateForm, FactsForm


@require_POST
@pending_required
def classmate(request):
    form = ClassmateForm(request.POST)
    if form.is_valid():
        try:
            services.classmate_assist_request(
                requester=request.user, **form.cleaned_data, ip=client_ip(request)
            )
        except AccountError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已通知该同学，同学登录确认后即完成核验。"))
            return redirect("accounts:identity")
    return render_identity_page(request, proof_form=form)


@require_POST
@pending_required
def facts(request):
    form = FactsForm(request.POST)
    if form.is_valid():
        try:
            claim = services.identity_facts_check(
                user=request.user, **form.cleaned_data, ip=client_ip(request)
            )
        except AccountError as error:
            form.add_error(None, error.message)
        else:
            if claim is None:
                messages.success(request, _("身份核验通过，您的账号已可正常使用。"))
                return redirect("home")
            messages.success(request, claim_ready_text(claim))
            return redirect("accounts:identity")
    return render_identity_page(request, proof_form=form)
