"""Stripe Connect: practitioners' Express accounts, onboarding, and whether they can be paid.

The account's state lives in payments' own table (ConnectAccount), one row per
practitioner who started onboarding; webhooks (`account.updated`) keep it current.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from directory.models import PractitionerProfile
from payments.errors import ConnectDisabled, PaymentProviderUnavailable
from payments.models import ConnectAccount
from payments.stripe_client import StripeError, connect_enabled, get_client, retry_after_of

logger = logging.getLogger("payments")


def connect_account_of(*, practitioner: PractitionerProfile) -> ConnectAccount:
    """The practitioner's account row, or an unsaved one with the defaults if none yet."""
    account = ConnectAccount.objects.filter(practitioner=practitioner).first()
    return account or ConnectAccount(practitioner=practitioner)


def practitioner_can_accept_payments(practitioner: PractitionerProfile) -> bool:
    if not connect_enabled():
        return True  # the platform collects the payment itself
    return connect_account_of(practitioner=practitioner).can_take_charges


def account_update_from_stripe(account) -> str:
    """`account.updated` (or a fresh read): store the account's status; what was done."""
    account_id = account.get("id")
    if not isinstance(account_id, str) or not account_id:
        return "ignored: unknown account"
    updated = ConnectAccount.objects.filter(stripe_account_id=account_id).update(
        charges_enabled=account.get("charges_enabled") is True,
        payouts_enabled=account.get("payouts_enabled") is True,
        details_submitted=account.get("details_submitted") is True,
        updated_at=timezone.now(),
    )
    return "updated account status" if updated else "ignored: unknown account"


def _account_id_create_once(practitioner: PractitionerProfile) -> str:
    account = get_client().v1.accounts.create(
        params={
            "type": "express",
            "email": practitioner.user.email,
            "capabilities": {
                "card_payments": {"requested": True},
                "transfers": {"requested": True},
            },
            "metadata": {"practitioner_id": str(practitioner.pk)},
        },
        # A concurrent second request gets the same account from Stripe.
        options={"idempotency_key": f"connect-account-{practitioner.pk}"},
    )
    with transaction.atomic(durable=True):
        record, _ = ConnectAccount.objects.select_for_update().get_or_create(
            practitioner=practitioner
        )
        if not record.stripe_account_id:
            record.stripe_account_id = account.id
            record.save(update_fields=["stripe_account_id", "updated_at"])
    return record.stripe_account_id


def payout_onboarding_link_create(*, practitioner: PractitionerProfile) -> str:
    """Create the practitioner's Express account once, then a fresh onboarding link."""
    if not connect_enabled():
        raise ConnectDisabled()
    try:
        account_id = connect_account_of(practitioner=practitioner).stripe_account_id
        if not account_id:
            account_id = _account_id_create_once(practitioner)
        link = get_client().v1.account_links.create(
            params={
                "account": account_id,
                "refresh_url": settings.STRIPE_CONNECT_REFRESH_URL,
                "return_url": settings.STRIPE_CONNECT_RETURN_URL,
                "type": "account_onboarding",
            }
        )
    except StripeError as exc:
        logger.warning("Stripe unavailable for onboarding %s: %r", practitioner.pk, exc)
        raise PaymentProviderUnavailable(
            "The payment provider cannot be reached. Try again shortly.",
            retry_after=retry_after_of(exc),
        ) from exc
    return link.url


def payout_status_refresh(*, practitioner: PractitionerProfile) -> ConnectAccount:
    """Read the Connect account's status from Stripe now (webhooks keep it current too)."""
    account = connect_account_of(practitioner=practitioner)
    if not (connect_enabled() and account.stripe_account_id):
        return account
    try:
        remote = get_client().v1.accounts.retrieve(account.stripe_account_id)
    except StripeError as exc:
        raise PaymentProviderUnavailable(retry_after=retry_after_of(exc)) from exc
    with transaction.atomic(durable=True):
        account_update_from_stripe(remote)
    return connect_account_of(practitioner=practitioner)
