from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts import signals
from accounts.models import Role, User
from accounts.phones import phone_e164
from accounts.verification import email_verification_send
from core.sql import bulk_insert

_UNSET = object()


def user_register(*, email: str, password: str, name: str, role: str) -> User:
    """Create the account and, in the same transaction, what the apps above give a new user;
    the e-mail asking to verify the address goes out once it commits."""
    with transaction.atomic(durable=True):
        user = user_create(email=email, password=password, name=name, role=role)
        signals.user_registered.send(sender=User, user=user)
        email_verification_send(user=user)
    return user


def user_delete(*, user: User) -> User:
    """Delete the account unless an app above refuses; see accounts.signals for the contract.

    The checks and the effects run in the one transaction that anonymises: a refusal, or
    a failing effect, leaves everything as it was.
    """
    with transaction.atomic(durable=True):
        signals.account_deletion_requested.send(sender=User, user=user)
        signals.account_deleting.send(sender=User, user=user)
        return user_anonymise(user=user)


def user_create(*, email: str, password: str, name: str, role: str) -> User:
    email = User.objects.normalize_email(email).strip()
    if role not in Role.values:
        raise ValidationError({"role": [f"Must be one of: {', '.join(Role.values)}."]})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": ["An account with this e-mail already exists."]})
    user = User(email=email, name=name.strip(), role=role)
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        # Two registrations raced past the check above; the constraint decided.
        raise ValidationError({"email": ["An account with this e-mail already exists."]}) from exc
    return user


def user_update(*, user: User, name: str | None = None, phone=_UNSET) -> User:
    """Change the name and the phone number (any valid international number, stored in
    E.164; empty or null clears it)."""
    changed = []
    if name is not None:
        user.name = name.strip()
        changed.append("name")
    if phone is not _UNSET:
        user.phone = phone_e164(phone)
        changed.append("phone")
    if changed:
        user.save(update_fields=changed)
    return user


def user_tokens_revoke(*, user: User) -> None:
    """End every session of the user at once: all access and refresh tokens issued so far
    stop working (see accounts.tokens). A new password does this by itself (User.save)."""
    User.objects.filter(pk=user.pk).update(token_version=F("token_version") + 1)
    user.refresh_from_db(fields=["token_version"])


def user_deactivate(*, user: User) -> User:
    """Stop the account from logging in, and end its sessions: reactivating it later does
    not bring old tokens back."""
    with transaction.atomic(durable=True):
        User.objects.filter(pk=user.pk).update(is_active=False)
        user_tokens_revoke(user=user)
        user.refresh_from_db(fields=["is_active"])
    return user


def user_anonymise(*, user: User) -> User:
    """Delete an account the way a marketplace must: personal data goes, history stays.

    Bookings, payments, refunds and reviews reference the user with PROTECT, so the row
    is kept; its e-mail, name and password are wiped and it can never log in again.
    """
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.email = f"deleted-{user.pk}@deleted.invalid"
        user.name = ""
        user.is_active = False
        user.set_unusable_password()
        user.phone = ""
        user.email_verified_at = None
        user.anonymised_at = timezone.now()
        user.save(
            update_fields=[
                "email",
                "name",
                "is_active",
                "password",
                "phone",
                "email_verified_at",
                "anonymised_at",
            ]
        )
        user_tokens_revoke(user=user)
        # The session records (token copies, blacklist entries) go with the person;
        # the revocation above already ends the tokens themselves.
        OutstandingToken.objects.filter(user=user).delete()
    return user


def users_bulk_insert(rows: list[dict]) -> None:
    """Load many ready-made user rows at once (demo and benchmark data), keyed by field name.

    Bypasses `user_register` and its signals on purpose: the caller creates what a new
    user starts with itself, in bulk too."""
    bulk_insert(User, rows)
