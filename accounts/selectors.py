"""Reads about users that other apps and the API need, asked of accounts, not of its columns."""

import django_otp

from accounts.models import User


def user_email_verified(user: User) -> bool:
    """Whether the user proved they receive mail at their current address."""
    return user.email_verified_at is not None


def user_mfa_enabled(user: User) -> bool:
    """Whether the user has a confirmed second factor (any django-otp device)."""
    return django_otp.user_has_device(user, confirmed=True)
