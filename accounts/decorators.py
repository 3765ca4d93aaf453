"""The one guard for role-restricted views: `@role_required(Role.REGISTRAR, …)`.

It answers 403 to a role that has no business on the page. Objects inside a page are
still fetched through `visible_to(user)`, which answers 404 outside the user's scope.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from accounts.models import AccountState, Role


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
