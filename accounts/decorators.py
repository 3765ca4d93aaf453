"""The guards of the views: `@role_required(Role.REGISTRAR, …)` for role-restricted
pages, `@active_required` / `@pending_required` for a student's own account pages, and
`@enrolment_allowed` for the second-factor pages of staff.

A guard answers 403 to a role that has no business on the page; a pending account is
sent to its identity page (身份核验) instead. Objects inside a page
are still fetched through the app's access.py, which answers 404 outside the user's
scope.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from accounts.models import AccountState, Role
from accounts.services.second_factor import may_enrol


def role_required(*roles: str, admins: bool = True):
    """Admins pass every staff guard; `admins=False` keeps a page to the roles named
    (a student's own pages act on the student's own account)."""
    allowed = set(roles)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.state == AccountState.PENDING:
                # Its one task is the identity check: sent there, not told 无权访问.
                return redirect("accounts:identity")
            if user.state != AccountState.ACTIVE:
                raise PermissionDenied
            is_admin = admins and user.is_admin
            if user.role not in allowed and not is_admin:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = frozenset(allowed)
        return wrapper

    return decorator


student_required = role_required(Role.STUDENT, admins=False)


def _state_required(state: str, elsewhere: str):
    """Logged in, with an account in `state`; any other state goes to `elsewhere`
    (pending accounts see only their identity page, active ones never see it)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.user.state != state:
                return redirect(elsewhere)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


active_required = _state_required(AccountState.ACTIVE, "accounts:identity")
pending_required = _state_required(AccountState.PENDING, "home")


def enrolment_allowed(view):
    """Logged in, with an account that may protect its log-in with a device (staff:
    accounts.services.second_factor.may_enrol); 403 otherwise."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not may_enrol(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
