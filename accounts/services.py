from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import signals
from accounts.models import Role, User
from core.sql import bulk_insert


def user_register(*, email: str, password: str, name: str, role: str) -> User:
    """Create the account and, in the same transaction, what the apps above give a new user."""
    with transaction.atomic(durable=True):
        user = user_create(email=email, password=password, name=name, role=role)
        signals.user_registered.send(sender=User, user=user)
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


def user_update(*, user: User, name: str | None = None) -> User:
    if name is not None:
        user.name = name.strip()
        user.save(update_fields=["name"])
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
        user.anonymised_at = timezone.now()
        user.save(update_fields=["email", "name", "is_active", "password", "anonymised_at"])
    return user


def users_bulk_insert(rows: list[dict]) -> None:
    """Load many ready-made user rows at once (demo and benchmark data), keyed by field name.

    Bypasses `user_register` and its signals on purpose: the caller creates what a new
    user starts with itself, in bulk too."""
    bulk_insert(User, rows)
