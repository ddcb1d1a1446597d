"""Password reset (by e-mail) and password change.

Reset tokens are Django's PasswordResetTokenGenerator: an HMAC over the user's id,
password hash, last login, e-mail and a timestamp, so a token stops working once the
password changes (single use) or after PASSWORD_RESET_TIMEOUT seconds. A new password
ends every session of the user (the save raises `User.token_version`, see accounts.tokens).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from accounts.emails import account_email_send
from accounts.errors import PasswordIncorrect, TokenInvalid
from accounts.models import User


def _uid(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def password_reset_request(*, email: str) -> None:
    """Mail a reset link if an active account has this address; otherwise do the same work
    and send nothing. The caller answers the same either way."""
    email = User.objects.normalize_email(email).strip()
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None or not user.has_usable_password():
        # As much work as the real branch: a token for a user that is never saved.
        default_token_generator.make_token(User(email=email, password=make_password(None)))
        return
    query = urlencode({"uid": _uid(user), "token": default_token_generator.make_token(user)})
    link = f"{settings.FRONTEND_URL.rstrip('/')}/reset-password?{query}"
    minutes = settings.PASSWORD_RESET_TIMEOUT // 60
    account_email_send(
        to=user.email,
        subject="Choose a new Stillpoint password",
        body=(
            f"Hello {user.name or user.email},\n\n"
            f"someone asked to reset the password of your Stillpoint account. To choose a "
            f"new one, open this link within {minutes} minutes:\n\n{link}\n\n"
            f"If it was not you, ignore this message: your password stays as it is.\n"
        ),
    )


def _user_for_uid(uid: str) -> User | None:
    try:
        pk = urlsafe_base64_decode(uid).decode()
        return User.objects.filter(pk=pk, is_active=True).first()
    except (ValueError, ValidationError):  # not base64, not UTF-8, not a UUID
        return None


def _validated_new_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from exc


def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    """Set a new password with the uid and token of a reset e-mail."""
    user = _user_for_uid(uid)
    if user is None or not default_token_generator.check_token(user, token):
        raise TokenInvalid()
    _validated_new_password(new_password, user)
    with transaction.atomic(durable=True):
        # Checked again under the lock: of two uses of one token, only the first commits.
        user = User.objects.select_for_update().get(pk=user.pk)
        if not default_token_generator.check_token(user, token):
            raise TokenInvalid()
        user.set_password(new_password)
        user.save(update_fields=["password"])
    return user


def password_change(*, user: User, old_password: str, new_password: str) -> User:
    """Replace the password of a logged-in user who knows the current one."""
    with transaction.atomic(durable=True):
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.check_password(old_password):
            raise PasswordIncorrect(fields={"old_password": [PasswordIncorrect.message]})
        _validated_new_password(new_password, user)
        user.set_password(new_password)
        user.save(update_fields=["password"])
    return user
