"""Reads about accounts for other modules and apps."""

from django_otp.plugins.otp_totp.models import TOTPDevice


def user_mfa_enabled(user) -> bool:
    """Whether the user signs in with a second factor (a confirmed authenticator app)."""
    if user is None or not user.is_authenticated:
        return False
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()
