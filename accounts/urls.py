from django.urls import path

from accounts import auth_views, views

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="auth-register"),
    path("auth/token/", auth_views.TokenView.as_view(), name="auth-token"),
    path("auth/token/refresh/", views.TokenRefresh.as_view(), name="auth-token-refresh"),
    path("auth/mfa/totp/", auth_views.TotpView.as_view(), name="auth-mfa-totp"),
    path(
        "auth/mfa/totp/confirm/",
        auth_views.TotpConfirmView.as_view(),
        name="auth-mfa-totp-confirm",
    ),
    path("me/", views.MeView.as_view(), name="me"),
]
