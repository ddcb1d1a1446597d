from django.urls import path

from accounts import auth_views, views

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="auth-register"),
    path("auth/token/", auth_views.TokenView.as_view(), name="auth-token"),
    path("auth/token/refresh/", views.TokenRefresh.as_view(), name="auth-token-refresh"),
    path("auth/logout/", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/email/verify/", views.EmailVerifyView.as_view(), name="auth-email-verify"),
    path("auth/email/resend/", views.EmailResendView.as_view(), name="auth-email-resend"),
    path("auth/password/reset/", views.PasswordResetView.as_view(), name="auth-password-reset"),
    path(
        "auth/password/reset/confirm/",
        views.PasswordResetConfirmView.as_view(),
        name="auth-password-reset-confirm",
    ),
    path("auth/password/change/", views.PasswordChangeView.as_view(), name="auth-password-change"),
    path("auth/mfa/totp/", auth_views.TotpView.as_view(), name="auth-mfa-totp"),
    path(
        "auth/mfa/totp/confirm/",
        auth_views.TotpConfirmView.as_view(),
        name="auth-mfa-totp-confirm",
    ),
    path("me/", views.MeView.as_view(), name="me"),
]
