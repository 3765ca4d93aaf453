"""Log-in by any identifier (user name, phone, e-mail, ID number), the admin's log-in
through it, and log-out."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts import forms
from accounts.devices import remember_device

BACKEND = "accounts.backends.IdentifierBackend"


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = forms.LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        remember_device(self.request, response, form.get_user())
        return response


def admin_login(request):
    """/admin/login/ is the portal's log-in: the same throttle (and second factor) for
    the admins as for everyone, with the admin page to come back to. A signed-in person
    whom the admin does not let in is refused (no redirect loop)."""
    if request.user.is_authenticated:
        raise PermissionDenied
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    return redirect_to_login(next_url or reverse("admin:index"))


class LogoutView(auth_views.LogoutView):
    template_name = "accounts/logged_out.html"
