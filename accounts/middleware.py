"""Session limits: 12 hours from log-in at most, and 30 idle minutes.

Students use shared lab computers (seed 004 asks them to log out properly); staff pages
hold personal data. The lifetime counts from log-in and never slides: the log-in time is
stored in the session and the session's expiry is set to a fixed date at log-in
(`start_session_clock`), so that neither the cookie nor the stored session moves with
activity, and a session older than SESSION_COOKIE_AGE is refused here, whatever its
cookie says. The last-seen time is written at most once a minute, so that most requests
do not save the session.
"""

import datetime
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

LAST_SEEN_KEY = "_last_seen"
LOGGED_IN_KEY = "_logged_in_at"
WRITE_EVERY = 60


def start_session_clock(session, now: float | None = None) -> None:
    """Store the log-in time and fix the session's end at SESSION_COOKIE_AGE from it."""
    now = int(time.time() if now is None else now)
    session[LOGGED_IN_KEY] = now
    session[LAST_SEEN_KEY] = now
    session.set_expiry(
        datetime.datetime.fromtimestamp(now + settings.SESSION_COOKIE_AGE, tz=datetime.UTC)
    )


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        start_session_clock(request.session)


class SessionIdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request) -> None:
        session = request.session
        now = int(time.time())
        if LOGGED_IN_KEY not in session:
            start_session_clock(session, now)  # a session from before the clock existed
            return
        if now - session[LOGGED_IN_KEY] >= settings.SESSION_COOKIE_AGE:
            logout(request)
            messages.info(
                request,
                _("登录已超过 %(hours)d 小时，为保护个人信息已自动退出，请重新登录。")
                % {"hours": settings.SESSION_COOKIE_AGE // 3600},
            )
            return
        last_seen = session.get(LAST_SEEN_KEY, now)
        if now - last_seen > settings.SESSION_IDLE_TIMEOUT:
            logout(request)
            messages.info(request, _("您已长时间未操作，为保护个人信息已自动退出，请重新登录。"))
        elif now - last_seen >= WRITE_EVERY:
            session[LAST_SEEN_KEY] = now
