"""Refunds: reserved in our ledger first, then sent to Stripe.

Our `Payment` and `Refund` rows are the ledger and cap every refund, not Stripe. A
refund is reserved (recorded, the amount counted as refunded) in the caller's
transaction while it holds the payment's row lock, and sent afterwards: if Stripe
cannot be reached it stays pending and `refunds_retry_pending` sends it again later,
with the same idempotency key.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from bookings.models import Booking
from bookings.payment_port import RefundSent
from payments.errors import RefundExceedsPayment
from payments.events import refund_succeeded_publish
from payments.models import Payment, PaymentStatus, Refund, RefundReason, RefundStatus
from payments.stripe_client import TRANSIENT_ERRORS, StripeError, get_client

logger = logging.getLogger("payments")


def refund_reserve(*, payment: Payment, amount: int, reason: str) -> Refund:
    """Record a refund in our ledger. The caller holds the payment's row lock."""
    existing = Refund.objects.filter(payment=payment, reason=reason).exclude(
        status=RefundStatus.FAILED
    )
    if reason != RefundReason.EXTERNAL and existing.exists():
        return existing.get()
    if amount > payment.refundable_amount:
        raise RefundExceedsPayment(extra={"refundable_amount": payment.refundable_amount})
    refund = Refund.objects.create(payment=payment, amount=amount, reason=reason)
    payment.refunded_amount += amount
    payment.save(update_fields=["refunded_amount", "updated_at"])
    return refund


def refund_reserve_capped(*, booking: Booking, amount: int, reason: str) -> Refund | None:
    """Reserve up to `amount` of the booking's payment: capped by what is still refundable
    (a refund made in Stripe's dashboard counts); None when nothing is left or was paid.

    Inside the caller's transaction, which holds the booking's lock (bookings.locks):
    the payment row is locked after it.
    """
    payment = Payment.objects.select_for_update().filter(booking=booking).first()
    if payment is None:
        return None
    amount = min(amount, payment.refundable_amount)
    if amount <= 0:
        return None
    return refund_reserve(payment=payment, amount=amount, reason=reason)


def _refund_send(refund: Refund) -> None:
    """Ask Stripe to move the money of a reserved refund (safe to repeat)."""
    if refund.status != RefundStatus.PENDING or refund.stripe_refund_id:
        return
    payment = refund.payment
    params = {
        "payment_intent": payment.payment_intent_id,
        "amount": refund.amount,
        "metadata": {"booking_id": str(payment.booking_id), "refund_id": str(refund.pk)},
    }
    if payment.destination_account_id:
        # Take the money back from the practitioner and return our fee proportionally.
        params["reverse_transfer"] = True
        params["refund_application_fee"] = True
    result = get_client().v1.refunds.create(
        params=params, options={"idempotency_key": f"refund-{refund.pk}"}
    )
    refund.stripe_refund_id = result.id
    if result.status in ("failed", "canceled"):
        with transaction.atomic():
            _refund_mark_failed(refund, f"Stripe refund status {result.status}")
        return
    if result.status == "succeeded":
        refund.status = RefundStatus.SUCCEEDED
    with transaction.atomic():  # the event commits with the refund's new status
        refund.save(update_fields=["stripe_refund_id", "status", "updated_at"])
        if refund.status == RefundStatus.SUCCEEDED:
            refund_succeeded_publish(refund)


def _refund_mark_failed(refund: Refund, message: str) -> None:
    payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
    payment.refunded_amount -= refund.amount
    payment.save(update_fields=["refunded_amount", "updated_at"])
    refund.status = RefundStatus.FAILED
    refund.failure_message = message[:500]
    refund.save(update_fields=["stripe_refund_id", "status", "failure_message", "updated_at"])


def refund_send(refund: Refund) -> RefundSent:
    """Send a reserved refund: sent; pending (Stripe unreachable, kept for a retry with
    the same key); or refused (recorded as failed, its reservation released)."""
    try:
        _refund_send(refund)
    except TRANSIENT_ERRORS as exc:
        # Kept for a retry, unless the caller's transaction rolls back (a webhook's does).
        logger.warning("Refund %s not sent, Stripe unavailable: %r", refund.pk, exc)
        return RefundSent.PENDING
    except StripeError as exc:
        logger.error("Stripe refused refund %s: %r", refund.pk, exc)
        with transaction.atomic():
            _refund_mark_failed(refund, str(exc))
        return RefundSent.REFUSED
    return RefundSent.SENT


def payment_refund(*, booking: Booking, amount: int, reason: str) -> Refund | None:
    """Refund exactly `amount` of the booking's payment now (RefundExceedsPayment if more
    than is refundable). None when nothing was collected; the same reason refunds once."""
    if amount <= 0:
        return None
    with transaction.atomic(durable=True):
        payment = Payment.objects.select_for_update().filter(booking=booking).first()
        if payment is None or payment.status != PaymentStatus.SUCCEEDED:
            return None
        refund = refund_reserve(payment=payment, amount=amount, reason=reason)
    refund_send(refund)
    refund.refresh_from_db()
    return refund


def refunds_retry_pending(*, older_than_seconds: int = 60) -> int:
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    pending = Refund.objects.filter(
        status=RefundStatus.PENDING, stripe_refund_id__isnull=True, created_at__lt=cutoff
    ).select_related("payment")
    count = 0
    for refund in pending:
        refund_send(refund)
        count += 1
    return count
