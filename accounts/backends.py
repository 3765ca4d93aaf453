"""Log in with a user name, phone, e-mail or ID number plus the password."""

from django.contrib.auth.backends import ModelBackend

from accounts.lookup import candidate_accounts
from accounts.models import User


class IdentifierBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, accounts=None, **kwargs):
        """`accounts`: the candidates of `username` already resolved by the log-in
        throttle (accounts.services.login_throttle.login_try), so as not to look them up
        twice."""
        if username is None or password is None:
            return None
        candidates = candidate_accounts(username) if accounts is None else accounts
        if not candidates:
            # Hash anyway, so that timing does not tell whether an account exists.
            User().set_password(password)
            return None
        for user in candidates:
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        return None
