from django.urls import path

from accounts import second_factor_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("second-factor/verify/", second_factor_views.verify, name="second_factor_verify"),
    path("second-factor/enrol/", second_factor_views.enrol, name="second_factor_enrol"),
    path("me/second-factor/", second_factor_views.manage, name="second_factor"),
    path("register/", views.register, name="register"),
    path("find-username/", views.find_username, name="find_username"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("me/", views.account, name="account"),
    path("me/username/", views.username_change, name="username_change"),
    path("me/phone/", views.phone_change, name="phone_change"),
    path("me/email/", views.email_change, name="email_change"),
    path("me/password/", views.password_change, name="password_change"),
    path("me/phone-request/", views.phone_request, name="phone_request"),
    path("me/real-name/", views.real_name_change, name="real_name_change"),
    path("identity/", views.identity_page, name="identity"),
    path("identity/photos/", views.identity_photos, name="identity_photos"),
    path("identity/classmate/", views.identity_classmate, name="identity_classmate"),
    path("identity/facts/", views.identity_facts, name="identity_facts"),
    path("assists/<int:pk>/decide/", views.assist_decide, name="assist_decide"),
    path("identity-images/<slug:token>/<slug:side>/", views.identity_image, name="identity_image"),
    path("identity-queue/", views.identity_queue, name="identity_queue"),
    path("identity-queue/<int:pk>/", views.identity_request_detail, name="identity_request_detail"),
    path("identity-claims/<int:pk>/", views.identity_claim_detail, name="identity_claim_detail"),
    path("claims/<int:pk>/object/", views.claim_object, name="claim_object"),
    path("claims/<int:pk>/confirm/", views.claim_confirm, name="claim_confirm"),
]
