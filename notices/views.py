"""Public notice pages, their attachments, and the help centre (帮助中心)."""

from django.core.paginator import Paginator
from django.shortcuts import render

from accounts.decorators import role_required
from accounts.models import Role
from notices import help as help_centre
from notices import selectors
from notices.access import (
    article_for_read,
    attachment_for_download,
    follows_notice,
    manages_notice,
    notice_for_read,
)
from notices.following import tasks_followed_by
from notices.models import Notice, NoticeState
from notices.satisfaction.selectors import invitation_for
from notices.student import student_records, student_tasks
from portal.lib.files import private_file_response


def notice_list(request):
    notices = selectors.published_notices()
    page = Paginator(notices, 20).get_page(request.GET.get("page"))
    return render(request, "notices/notice_list.html", {"page": page})


def notice_detail(request, pk: int):
    notice = notice_for_read(request, pk)
    if notice.state == NoticeState.WITHDRAWN and not manages_notice(request.user, notice):
        # Its title and why it went; not its body, attachments or task.
        return render(request, "notices/notice_withdrawn.html", {"notice": notice})
    context = {"notice": notice, **_viewer_context(request.user, notice)}
    return render(request, "notices/notice_detail.html", context)


def _viewer_context(user, notice: Notice) -> dict:
    """What this reader may do next: their own task, their class sheet, progress, manage."""
    if not user.is_authenticated:
        return {}
    context = {
        "can_manage": manages_notice(user, notice),
        "can_follow": follows_notice(user, notice),
    }
    if user.is_student:
        records = list(student_records(user))
        if records and notice.has_task:
            context["my_task"] = student_tasks([notice], records)[0]
            context["satisfaction"] = invitation_for(notice, user, records)
        context["monitor_sheets"] = selectors.sheets_of_monitor(user).filter(notice=notice)
    return context


def attachment_file(request, token: str):
    """Attachments are downloads under a generated name; images may show in the page."""
    attachment = attachment_for_download(request, token)
    is_image = attachment.content_type.startswith("image/")
    return private_file_response(
        attachment.file,
        content_type=attachment.content_type,
        filename=f"notice-{attachment.notice_id}-{attachment.pk}{attachment.extension}",
        attachment=not is_image,
    )


def help_list(request):
    query = request.GET.get("q", "").strip()[:100]
    articles = help_centre.search(query)
    return render(request, "notices/help_list.html", {"articles": articles, "query": query})


def help_detail(request, slug: str):
    article = article_for_read(request, slug)
    return render(request, "notices/help_detail.html", {"article": article})


@role_required(Role.COUNSELOR, Role.COLLEGE)
def task_list(request):
    """校对任务: every notice in progress for the user's classes, each class with its
    progress and its 反馈表 (the home page shows the first few)."""
    return render(request, "notices/task_list.html", {"tasks": tasks_followed_by(request.user)})
