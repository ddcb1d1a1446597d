"""Reads about users that other apps and the API need, asked of accounts, not of its columns."""

from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User


def user_email_verified(user: User) -> bool:
    """Whether the user proved they receive mail at their current address."""
    return user.email_verified_at is not None


def user_mfa_enabled(user: User) -> bool:
    """Whether the user signs in with a second factor (a confirmed authenticator app;
    recovery codes exist only beside one)."""
    if user is None or not user.is_authenticated:
        return False
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def user_phone(user: User) -> str | None:
    """The user's phone number (E.164, as accounts stored it), or None without one."""
    return user.phone or None
