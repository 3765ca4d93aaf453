"""Account pages. Log-in here is user name + password; the accounts issue adds the rest."""

from django.contrib.auth import views as auth_views
from django.db.models import F
from django.shortcuts import render

from accounts.decorators import role_required
from accounts.forms import LoginForm
from accounts.models import AccountState, Role, User


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    template_name = "accounts/logged_out.html"


@role_required(Role.IDENTITY_REVIEWER)
def identity_queue(request):
    """Accounts waiting for an identity check, oldest first."""
    pending = User.objects.filter(state=AccountState.PENDING).order_by(F("date_joined").asc())
    return render(request, "accounts/identity_queue.html", {"pending": pending})
