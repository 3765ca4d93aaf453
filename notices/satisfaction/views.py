"""The student's evaluation page; the staff's results page and its workbook."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.decorators import role_required, student_required
from accounts.models import Role
from notices.access import invitation_for_student, notice_for_satisfaction
from notices.errors import NoticeError
from notices.satisfaction import exports, selectors, services
from notices.satisfaction.forms import SatisfactionForm
from portal.lib.audit import log_access
from portal.lib.throttle import client_ip
from portal.lib.xlsx import xlsx_response


@student_required
def satisfaction_form(request, pk: int):
    """专业满意度和院校满意度评价（自愿）: once per task, after the check; skipping is fine."""
    invitation = invitation_for_student(request, pk)
    form = SatisfactionForm(request.POST or None)
    if request.method == "POST":
        if not invitation.is_open:
            messages.error(request, _refusal(invitation))
            return redirect("notices:satisfaction_form", invitation.notice.pk)
        if form.is_valid():
            try:
                services.satisfaction_submit(
                    invitation=invitation,
                    by=request.user,
                    scores=form.scores,
                    words=form.cleaned_data["words"],
                )
            except NoticeError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("评价已提交，感谢您的参与。"))
            return redirect("notices:satisfaction_form", invitation.notice.pk)
    context = {"invitation": invitation, "notice": invitation.notice, "form": form}
    return render(request, "notices/satisfaction/form.html", context)


def _refusal(invitation) -> str:
    if invitation.evaluated:
        return services.already_evaluated()
    return _("请先完成本次校对任务，再进行满意度评价。")


results_readers = role_required(Role.COLLEGE, Role.REGISTRAR)


@results_readers
def satisfaction_results(request, pk: int):
    """Per college and per major: answers, mean of each item, how many gave each score,
    the words; a group under 5 answers shows none of it."""
    notice = notice_for_satisfaction(request, pk)
    results = selectors.satisfaction_results(notice, request.user)
    context = {
        "notice": notice,
        "results": results,
        "minimum": selectors.MINIMUM,
        "scores": selectors.SCORES,
    }
    return render(request, "notices/satisfaction/results.html", context)


@results_readers
def satisfaction_export(request, pk: int):
    """The same results as .xlsx, groups under 5 hidden the same way; the export audited."""
    notice = notice_for_satisfaction(request, pk)
    results = selectors.satisfaction_results(notice, request.user)
    filename = exports.filename_for(notice, request.user)
    content = exports.results_workbook(notice, results, request.user)
    log_access(
        request.user,
        "notices.satisfaction_exported",
        notice,
        changes={"file": filename},
        ip=client_ip(request),
    )
    return xlsx_response(content, filename)
