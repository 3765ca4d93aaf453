from django.urls import path

from accounts.views import (
    auth,
    claims,
    identity,
    register,
    review,
    second_factor,
    selfservice,
)

app_name = "accounts"

urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("second-factor/verify/", second_factor.verify, name="second_factor_verify"),
    path("second-factor/enrol/", second_factor.enrol, name="second_factor_enrol"),
    path("me/second-factor/", second_factor.manage, name="second_factor"),
    path("register/", register.register, name="register"),
    path("terms/", register.terms, name="terms"),
    path("find-username/", selfservice.find_username, name="find_username"),
    path("password-reset/", selfservice.password_reset, name="password_reset"),
    path("me/", selfservice.account, name="account"),
    path("me/username/", selfservice.username_change, name="username_change"),
    path("me/phone/", selfservice.phone_change, name="phone_change"),
    path("me/email/", selfservice.email_change, name="email_change"),
    path("me/password/", selfservice.password_change, name="password_change"),
    path("me/phone-request/", selfservice.phone_request, name="phone_request"),
    path("me/real-name/", selfservice.real_name_change, name="real_name_change"),
    path("identity/", identity.identity_page, name="identity"),
    path("identity/photos/", identity.identity_photos, name="identity_photos"),
    # identity/facts/ and identity/classmate/: the proof by records (records.identity).
    path("assists/<int:pk>/decide/", identity.assist_decide, name="assist_decide"),
    path(
        "identity-images/<slug:token>/<slug:side>/",
        identity.identity_image,
        name="identity_image",
    ),
    path("identity-queue/", review.identity_queue, name="identity_queue"),
    path(
        "identity-queue/<int:pk>/", review.identity_request_detail, name="identity_request_detail"
    ),
    path("identity-claims/<int:pk>/", review.identity_claim_detail, name="identity_claim_detail"),
    path("claims/<int:pk>/object/", claims.claim_object, name="claim_object"),
    path("claims/<int:pk>/confirm/", claims.claim_confirm, name="claim_confirm"),
]
