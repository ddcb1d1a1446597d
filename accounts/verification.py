"""E-mail verification: a signed, expiring key for the user's current address.

The key signs the user id and a digest of the address (django.core.signing, with its own
salt and a timestamp checked against EMAIL_VERIFICATION_TIMEOUT), so it proves control of
that address only: once the address changes (or the account is deleted) its old keys fail.
The digest, not the address, keeps the address out of links and the logs they reach.
Verifying again with a valid key is harmless and answers the same.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.emails import account_email_send
from accounts.errors import EmailAlreadyVerified, TokenInvalid
from accounts.models import User

SALT = "accounts.email-verification"


def _address_digest(email: str) -> str:
    return salted_hmac(SALT, email.lower(), algorithm="sha256").hexdigest()[:32]


def _signer() -> signing.TimestampSigner:
    # "." rather than ":" between the parts: the key needs no escaping in a link.
    return signing.TimestampSigner(salt=SALT, sep=".")


def email_verification_key(user: User) -> str:
    return _signer().sign_object({"user": str(user.pk), "email": _address_digest(user.email)})


def email_verification_send(*, user: User) -> None:
    """Mail the user a link to verify their address (an outbox e-mail, written in the
    current transaction)."""
    query = urlencode({"key": email_verification_key(user)})
    link = f"{settings.FRONTEND_URL.rstrip('/')}/verify-email?{query}"
    hours = settings.EMAIL_VERIFICATION_TIMEOUT // 3600
    account_email_send(
        to=user.email,
        subject="Confirm your e-mail address for Stillpoint",
        body=(
            f"Hello {user.name or user.email},\n\n"
            f"please confirm that this is your e-mail address by opening this link:\n\n"
            f"{link}\n\n"
            f"The link works for {hours} hours. If you did not create a Stillpoint account, "
            f"ignore this message.\n"
        ),
    )


def email_verification_resend(*, user: User) -> None:
    if user.email_verified:
        raise EmailAlreadyVerified()
    email_verification_send(user=user)


def email_verify(*, key: str, user: User | None = None) -> User:
    """Mark the address a key was made for as verified. `user`, when the request was made
    by a logged-in user, must be the one the key was made for."""
    try:
        signed = _signer().unsign_object(key, max_age=settings.EMAIL_VERIFICATION_TIMEOUT)
    except signing.BadSignature as exc:  # SignatureExpired included
        raise TokenInvalid() from exc
    if not isinstance(signed, dict):
        raise TokenInvalid()
    if user is not None and signed.get("user") != str(user.pk):
        raise TokenInvalid()
    with transaction.atomic(durable=True):
        owner = (
            User.objects.select_for_update().filter(pk=signed.get("user"), is_active=True).first()
        )
        if owner is None or not constant_time_compare(
            str(signed.get("email")), _address_digest(owner.email)
        ):
            raise TokenInvalid()
        if owner.email_verified_at is None:
            owner.email_verified_at = timezone.now()
            owner.save(update_fields=["email_verified_at"])
    return owner
