"""The second-factor gate: after the password, a staff session that owes a code (or an
enrolment) reaches no page — portal, /admin/ or file — but the verify and enrol pages,
log-out and static files.

It is django-otp's OTPMiddleware (request.user.is_verified()) plus the gate. What a
session owes is decided once at log-in (user_logged_in) and kept in the session, so a
request pays no query for it; a verified session whose device an admin reset is decided
again (and sent to enrol when its role must have a device).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware

from accounts.services import second_factor

SESSION_KEY = "_second_factor"
TRIES_KEY = "_second_factor_failures"

_PAGES = {
    second_factor.VERIFY: "accounts:second_factor_verify",
    second_factor.ENROL: "accounts:second_factor_enrol",
}


@receiver(user_logged_in, dispatch_uid="accounts.second_factor.step")
def _decide_at_log_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = second_factor.step_after_password(user)
        request.session.pop(TRIES_KEY, None)


def mark_done(request) -> None:
    request.session[SESSION_KEY] = second_factor.DONE
    request.session.pop(TRIES_KEY, None)


def owed(request) -> str | None:
    """The page name this session must see first, or None."""
    user = request.user
    if not user.is_authenticated:
        return None
    state = request.session.get(SESSION_KEY)
    if state == second_factor.DONE:
        # Verified in this session (no query: an admin's reset of the device ends every
        # session of the account, User.end_sessions).
        return None
    if state == second_factor.NOT_ASKED and not second_factor.must_enrol(user):
        return None  # no query: decided at log-in, and neither role nor setting says more
    if user.is_verified():
        return None
    if state in (None, second_factor.NOT_ASKED):
        # A session from before the gate, or one let in without a factor that must now
        # have one (a role given or the setting turned on since its log-in).
        state = second_factor.step_after_password(user)
        request.session[SESSION_KEY] = state
    return _PAGES.get(state)


class SecondFactorMiddleware(OTPMiddleware):
    sync_capable = True
    async_capable = False

    def __init__(self, get_response):
        self.get_response = get_response
        self._is_async = False
        self._open: frozenset[str] | None = None

    def _is_open(self, path: str) -> bool:
        if self._open is None:
            names = ("logout", "second_factor_verify", "second_factor_enrol")
            self._open = frozenset(reverse(f"accounts:{name}") for name in names)
        return path in self._open or path.startswith("/" + settings.STATIC_URL.lstrip("/"))

    def _verify_user_sync(self, request, user):
        """django-otp loads the session's device on the first use of request.user, on
        every request. A session that gave its code (DONE) is verified for its life (an
        admin's reset of the device ends every session of the account): its device is
        loaded only if something asks for it."""
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
        if request.session.get(SESSION_KEY) == second_factor.DONE and persistent_id:
            self._init_user_fields(user)
            user.otp_device = SimpleLazyObject(
                lambda: self._device_from_persistent_id(persistent_id)
            )
            return user
        return super()._verify_user_sync(request, user)

    def __call__(self, request):
        self._install_lazy_accessors(request)
        page = owed(request)
        if page is not None and not self._is_open(request.path):
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse(page)}?{query}")
        return self.get_response(request)
