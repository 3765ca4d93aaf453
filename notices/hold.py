"""The required check's hold (issue 15 §2; seed 004 makes the self-check compulsory, with
a deadline): a student with a required task open and its window open is taken to her
to-do page (待办事项, /todo/) once, right after logging in; from there she may go
anywhere, and every page shows a bar until the task is done. After the cutoff the task
is 逾期: the hold lifts, the bar says 逾期.

Which tasks are open is notices.todo's (required_tasks, holds): nothing is decided here.
Cheap: the log-in marks the session only when a required notice of hers has started; the
first page after it reads the tasks once, for itself and the bar; the bar reads them (two
queries) for students only, and only when a page shows it."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from accounts.models import AccountState
from notices.selectors import started_required_notices
from notices.student import StudentTask
from notices.todo import holds, required_tasks

SESSION_KEY = "notices_hold_at_login"


def _held_student(user) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and user.is_student
        and user.state == AccountState.ACTIVE
    )


def mark_login(sender, request, user, **kwargs) -> None:
    """user_logged_in: when a required notice of hers has started (one query, usually
    answering none), the next page she opens checks the hold. Unmarked, that page reads
    nothing for the hold and writes no session (the deadline surge: docs/deploy.md)."""
    if not (_held_student(user) and hasattr(request, "session")):
        return
    if started_required_notices(user).exists():
        request.session[SESSION_KEY] = True


def _is_page(request) -> bool:
    """A page she navigates to: a GET that accepts HTML (not a photo, a file or a status
    poll a page makes)."""
    accept = request.headers.get("Accept", "")
    return request.method == "GET" and (not accept or "text/html" in accept)


class RequiredTaskHoldMiddleware:
    """After log-in, the first page she opens: to /todo/?next=<that page> when a required
    task holds her; once only (the mark is taken off whatever the answer)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_KEY) and _is_page(request):
            del session[SESSION_KEY]
            held = self._held(request)
            if held:
                return redirect(held)
        return self.get_response(request)

    @staticmethod
    def _held(request) -> str:
        """Where to take her ("" to let her through)."""
        try:
            todo_url = reverse("todo")
        except NoReverseMatch:  # a URLconf without the to-do page (a test's own)
            return ""
        user = getattr(request, "user", None)
        if request.path.startswith(todo_url) or not _held_student(user):
            return ""
        tasks = required_tasks(user)
        remember(request, tasks)  # the bar on the page she is let through to reads these
        if not holds(tasks):
            return ""
        return f"{todo_url}?{urlencode({'next': request.get_full_path()})}"


def required_bar(request) -> dict:
    """Context processor: `required_bar`, her required tasks still open, read when a
    page shows the bar (templates/base.html reads it once) and for students only."""
    user = getattr(request, "user", None)
    if not _held_student(user):
        return {}

    def tasks():
        if not hasattr(request, MEMO):
            remember(request, required_tasks(user))
        return getattr(request, MEMO)

    return {"required_bar": tasks}


MEMO = "_notices_required_tasks"


def remember(request, tasks: list[StudentTask]) -> None:
    """A page that has read her tasks already (the home page, the to-do page: notices.todo
    StudentTodo.required) gives them to the bar, which then reads nothing again."""
    setattr(request, MEMO, tasks)
