"""Stripe webhooks: each verified event stored once, processed once, by a handler per type.

A webhook is a trigger, not a record: its amount, currency and booking are checked
against our ledger before anything happens. What a successful payment does to its
booking is decided by bookings (`booking_payment_succeeded`). Locks: the event's row,
then the booking's (bookings.locks), then the payment's.
"""

import logging

from django.db import transaction
from django.utils import timezone

from bookings.locks import lock_booking
from bookings.models import Booking
from bookings.services import PaymentOutcome, PaymentSettled, booking_payment_succeeded
from payments.connect import account_update_from_stripe
from payments.errors import InvalidEvent
from payments.events import refund_succeeded_publish
from payments.models import Payment, PaymentStatus, Refund, RefundReason, RefundStatus, WebhookEvent

logger = logging.getLogger("payments")


def _str(obj: dict, key: str) -> str:
    value = obj.get(key)
    return value if isinstance(value, str) else ""


def _int(obj: dict, key: str) -> int | None:
    value = obj.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _dict(obj: dict, key: str) -> dict:
    value = obj.get(key)
    return value if isinstance(value, dict) else {}


def webhook_event_process(*, payload: dict) -> str:
    """Store a verified event once and process it once; returns what was done.

    `payload` is the parsed body whose signature the view verified. A Stripe
    failure while processing (e.g. a refund) rolls everything back, including
    the event record, so the view answers 503 and Stripe retries.
    """
    event_id, event_type = _str(payload, "id"), _str(payload, "type")
    obj = _dict(_dict(payload, "data"), "object")
    if not (event_id and event_type and obj):
        raise InvalidEvent()
    handler = HANDLERS.get(event_type)
    with transaction.atomic(durable=True):
        record, _ = WebhookEvent.objects.get_or_create(
            event_id=event_id[:255], defaults={"type": event_type[:100], "payload": payload}
        )
        record = WebhookEvent.objects.select_for_update().get(pk=record.pk)
        if record.processed_at is not None:
            return "duplicate"
        outcome = handler(obj) if handler else "ignored: unhandled type"
        record.processed_at = timezone.now()
        record.outcome = outcome[:300]
        record.save(update_fields=["processed_at", "outcome"])
    logger.info(
        "stripe_event",
        extra={"event_id": event_id, "event_type": event_type, "outcome": outcome},
    )
    return outcome


def _payment_for_intent(intent) -> tuple[Payment | None, str | None]:
    """The payment an intent refers to, or why the event must be ignored."""
    payment = Payment.objects.filter(payment_intent_id=_str(intent, "id")).first()
    if payment is None:
        return None, "ignored: unknown payment intent"
    booking_id = _str(_dict(intent, "metadata"), "booking_id")
    if booking_id != str(payment.booking_id):
        logger.warning("PaymentIntent %s: booking mismatch", payment.payment_intent_id)
        return None, "ignored: booking mismatch"
    if _str(intent, "currency") != payment.currency.lower():
        logger.warning("PaymentIntent %s: currency mismatch", payment.payment_intent_id)
        return None, "ignored: currency mismatch"
    if _int(intent, "amount") != payment.amount:
        logger.warning(
            "PaymentIntent %s: amount mismatch (%s != %s)",
            payment.payment_intent_id,
            intent.get("amount"),
            payment.amount,
        )
        return None, "ignored: amount mismatch"
    return payment, None


def _lock_booking_and_payment(payment: Payment) -> tuple[Booking, Payment]:
    booking = lock_booking(Booking.objects.get(pk=payment.booking_id))
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    return booking, payment


def _describe(outcome: PaymentOutcome) -> str:
    settled, reason, status = outcome.action, outcome.refund_reason, outcome.booking_status
    if settled == PaymentSettled.ALREADY_CONFIRMED:
        return "already confirmed"
    if settled == PaymentSettled.CONFIRMED:
        return "confirmed booking"
    if settled == PaymentSettled.CONFIRMED_AFTER_LAPSE:
        return "confirmed booking after its hold expired"
    if settled == PaymentSettled.NOTHING_TO_REFUND:
        return f"nothing left to refund ({reason}); booking {status}"
    if settled == PaymentSettled.REFUND_REFUSED:
        return f"refund refused by Stripe ({reason}); booking {status}"
    return f"refunded in full ({reason}); booking {status}"


def _on_payment_intent_succeeded(intent) -> str:
    payment, ignored = _payment_for_intent(intent)
    if ignored:
        return ignored
    booking, payment = _lock_booking_and_payment(payment)
    if payment.status != PaymentStatus.SUCCEEDED:
        payment.status = PaymentStatus.SUCCEEDED
        payment.succeeded_at = timezone.now()
        payment.save(update_fields=["status", "succeeded_at", "updated_at"])
    # Confirm, or refund through the port (sent inside this transaction on purpose: if
    # Stripe cannot be reached, nothing is recorded and the event is redelivered).
    return _describe(booking_payment_succeeded(booking=booking))


def _on_payment_intent_payment_failed(intent) -> str:
    payment, ignored = _payment_for_intent(intent)
    if ignored:
        return ignored
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    error = _dict(intent, "last_payment_error")
    payment.failure_count += 1
    payment.last_failure_code = (_str(error, "code") or _str(error, "decline_code"))[:64]
    payment.last_failure_message = _str(error, "message")[:500]
    payment.save(
        update_fields=["failure_count", "last_failure_code", "last_failure_message", "updated_at"]
    )
    return "recorded failure"


def _on_payment_intent_canceled(intent) -> str:
    payment, ignored = _payment_for_intent(intent)
    if ignored:
        return ignored
    updated = Payment.objects.filter(pk=payment.pk, status=PaymentStatus.PENDING).update(
        status=PaymentStatus.CANCELED, updated_at=timezone.now()
    )
    return "marked canceled" if updated else f"ignored: payment already {payment.status}"


def _on_charge_refunded(charge) -> str:
    payment = Payment.objects.filter(payment_intent_id=_str(charge, "payment_intent")).first()
    if payment is None:
        return "ignored: unknown payment intent"
    if (
        _str(charge, "currency") != payment.currency.lower()
        or _int(charge, "amount") != payment.amount
    ):
        logger.warning("Charge %s does not match payment %s", _str(charge, "id"), payment.pk)
        return "ignored: amount mismatch"
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    stripe_refunded = min(_int(charge, "amount_refunded") or 0, payment.amount)
    missing = stripe_refunded - payment.refunded_amount
    if missing > 0:
        # Refunded outside Stillpoint (e.g. the Stripe dashboard): record it in the ledger.
        external = Refund.objects.create(
            payment=payment,
            amount=missing,
            reason=RefundReason.EXTERNAL,
            status=RefundStatus.SUCCEEDED,
        )
        payment.refunded_amount = stripe_refunded
        payment.save(update_fields=["refunded_amount", "updated_at"])
        refund_succeeded_publish(external)
    settled = list(
        Refund.objects.filter(
            payment=payment, status=RefundStatus.PENDING, stripe_refund_id__isnull=False
        )
    )
    Refund.objects.filter(pk__in=[refund.pk for refund in settled]).update(
        status=RefundStatus.SUCCEEDED, updated_at=timezone.now()
    )
    for refund in settled:
        refund_succeeded_publish(refund)
    return f"synced refunded amount {payment.refunded_amount}"


def _on_charge_dispute_created(dispute) -> str:
    payment = Payment.objects.filter(payment_intent_id=_str(dispute, "payment_intent")).first()
    if payment is None:
        return "ignored: unknown payment intent"
    dispute_id = _str(dispute, "id")[:64]
    Payment.objects.filter(pk=payment.pk).update(
        disputed=True, dispute_id=dispute_id, updated_at=timezone.now()
    )
    logger.warning("Payment %s disputed (%s)", payment.payment_intent_id, dispute_id)
    return "marked disputed"


HANDLERS = {
    "payment_intent.succeeded": _on_payment_intent_succeeded,
    "payment_intent.payment_failed": _on_payment_intent_payment_failed,
    "payment_intent.canceled": _on_payment_intent_canceled,
    "charge.refunded": _on_charge_refunded,
    "account.updated": account_update_from_stripe,
    "charge.dispute.created": _on_charge_dispute_created,
}
