from django.urls import URLPattern, URLResolver, include, path

from . import mfa_views, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("mfa/setup/", mfa_views.mfa_setup, name="mfa-setup"),
    path("mfa/verify/", mfa_views.mfa_verify, name="mfa-verify"),
    path("mfa/recovery-codes/", mfa_views.mfa_recovery_codes, name="mfa-recovery-codes"),
    path("password_change/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("", include("django.contrib.auth.urls")),
]
