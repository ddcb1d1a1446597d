"""PaymentIntents of bookings: start one for a held booking, cancel those never to be paid.

Stripe is reached only through payments.stripe_client. Bookings decides when a payment
starts or is cancelled (through bookings.payment_port); this module does it.
"""

import logging
import math
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from bookings.models import Booking, BookingStatus
from payments.connect import connect_account_of, practitioner_can_accept_payments
from payments.errors import (
    BookingNotPayable,
    PaymentNotPossible,
    PaymentProviderUnavailable,
    PractitionerCannotAcceptPayments,
)
from payments.models import Payment, PaymentStatus, StripeCustomer
from payments.stripe_client import (
    TRANSIENT_ERRORS,
    StripeError,
    connect_enabled,
    get_client,
    retry_after_of,
    unavailable_for,
)

logger = logging.getLogger("payments")


def platform_fee_for(amount: int) -> int:
    """The platform's fee: rounded up (in the platform's favour), never above the amount."""
    percent = Decimal(str(settings.PLATFORM_FEE_PERCENT))
    return min(amount, max(0, math.ceil(Decimal(amount) * percent / 100)))


def payment_check_practitioner(*, practitioner) -> None:
    """Raise 409 when nobody could pay this practitioner (before a hold is taken)."""
    if not practitioner_can_accept_payments(practitioner):
        raise PractitionerCannotAcceptPayments()


def payment_check_provider() -> None:
    """Raise 503 at once while Stripe's circuit is open (before a hold is taken)."""
    retry_after = unavailable_for()
    if retry_after is not None:
        raise PaymentProviderUnavailable(retry_after=retry_after)


def stripe_customer_get_or_create(*, user: User) -> str:
    existing = StripeCustomer.objects.filter(user=user).first()
    if existing:
        return existing.stripe_customer_id
    customer = get_client().v1.customers.create(
        params={"email": user.email, "name": user.name, "metadata": {"user_id": str(user.pk)}},
        # Two concurrent first bookings of one client get the same Customer from Stripe.
        options={"idempotency_key": f"customer-{user.pk}"},
    )
    with transaction.atomic():
        record, _ = StripeCustomer.objects.get_or_create(
            user=user, defaults={"stripe_customer_id": customer.id}
        )
    return record.stripe_customer_id


def _payment_intent_params(*, booking: Booking, customer_id: str) -> dict:
    params = {
        "amount": booking.amount,
        "currency": booking.currency.lower(),  # Stripe's codes are lower-case
        "customer": customer_id,
        "metadata": {"booking_id": str(booking.pk)},
    }
    if connect_enabled():
        destination = connect_account_of(practitioner=booking.practitioner).stripe_account_id
        params["application_fee_amount"] = platform_fee_for(booking.amount)
        params["transfer_data"] = {"destination": destination}
    return params


def payment_start_for_booking(*, booking: Booking) -> Payment:
    """Create the PaymentIntent of a freshly held paid booking and record it (idempotent).

    On any failure no PaymentIntent is left payable, and the error says why: 503 when
    Stripe cannot be reached, 409 when it refused. Releasing the hold is bookings' part.
    """
    existing = Payment.objects.filter(booking=booking).first()
    if existing:
        return existing
    if booking.status != BookingStatus.PENDING_PAYMENT or booking.amount <= 0:
        raise BookingNotPayable()

    try:
        payment_check_practitioner(practitioner=booking.practitioner)
        customer_id = stripe_customer_get_or_create(user=booking.client)
        intent = get_client().v1.payment_intents.create(
            params=_payment_intent_params(booking=booking, customer_id=customer_id),
            options={"idempotency_key": f"booking-{booking.pk}-payment-intent"},
        )
    except TRANSIENT_ERRORS as exc:
        # No usable response, so no PaymentIntent id reached us and the client never gets
        # a client_secret: nothing can be paid against this booking. Worth a retry.
        logger.warning("Stripe unavailable while starting payment for %s: %r", booking.pk, exc)
        raise PaymentProviderUnavailable(retry_after=retry_after_of(exc)) from exc
    except StripeError as exc:
        # Stripe refused the charge itself (e.g. below its minimum amount): a retry would
        # fail the same way, so this is a conflict, not an outage.
        logger.error("Stripe refused to start payment for %s: %r", booking.pk, exc)
        raise PaymentNotPossible(getattr(exc, "user_message", None) or None) from exc

    try:
        with transaction.atomic(durable=True):
            payment = Payment.objects.create(
                booking=booking,
                payment_intent_id=intent.id,
                client_secret=intent.client_secret,
                stripe_customer_id=customer_id,
                amount=booking.amount,
                currency=booking.currency,
                application_fee_amount=intent.get("application_fee_amount") or 0,
                destination_account_id=(intent.get("transfer_data") or {}).get("destination") or "",
            )
    except IntegrityError:
        # A concurrent retry of the same booking recorded its payment first. Stripe gives
        # both the same intent (same idempotency key); a provider that ignores the key
        # (localstripe) gives a second one, which we cancel so it cannot be paid.
        payment = Payment.objects.filter(booking=booking).first()
        if payment is None or payment.payment_intent_id != intent.id:
            _cancel_intent_quietly(intent.id)
        if payment is None:
            raise
    except Exception:
        _cancel_intent_quietly(intent.id)
        raise
    return payment


def _cancel_intent_quietly(payment_intent_id: str) -> bool:
    try:
        get_client().v1.payment_intents.cancel(payment_intent_id)
    except StripeError as exc:
        logger.warning("Could not cancel PaymentIntent %s: %r", payment_intent_id, exc)
        return False
    return True


def payment_cancel_for_booking(*, booking: Booking) -> bool:
    """Cancel the pending PaymentIntent of a booking that will not be paid."""
    payment = Payment.objects.filter(booking=booking, status=PaymentStatus.PENDING).first()
    if payment is None or not _cancel_intent_quietly(payment.payment_intent_id):
        return False
    with transaction.atomic():
        Payment.objects.filter(pk=payment.pk, status=PaymentStatus.PENDING).update(
            status=PaymentStatus.CANCELED, updated_at=timezone.now()
        )
    return True


def payments_cancel_unpayable() -> int:
    """Cancel every pending PaymentIntent whose booking has expired or was cancelled.

    Run by `expire_holds` after it marked holds expired. A PaymentIntent that
    succeeded meanwhile cannot be cancelled; its webhook handles it.
    """
    cancelled = 0
    bookings = Booking.objects.filter(
        payment__status=PaymentStatus.PENDING,
        status__in=[BookingStatus.EXPIRED, BookingStatus.CANCELLED],
    )
    for booking in bookings.iterator():
        cancelled += payment_cancel_for_booking(booking=booking)
    return cancelled
