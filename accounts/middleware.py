"""Session idle time-out: a session unused for SESSION_IDLE_TIMEOUT seconds ends.

Students use shared lab computers (seed 004 asks them to log out properly); staff pages
hold personal data. The last-seen time is written at most once a minute, so that most
requests do not save the session.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

LAST_SEEN_KEY = "_last_seen"
WRITE_EVERY = 60


class SessionIdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            if now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                messages.info(
                    request, _("您已长时间未操作，为保护个人信息已自动退出，请重新登录。")
                )
            elif now - last_seen >= WRITE_EVERY or LAST_SEEN_KEY not in request.session:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
