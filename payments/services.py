"""Payments: PaymentIntents for bookings, refunds, webhooks and Connect onboarding.

Stripe is reached only through `payments.stripe_client`. Our `Payment` and
`Refund` rows are the ledger: a webhook is a trigger whose amount, currency
and booking are checked against them, and a refund is capped by them, not by
Stripe. Lock order everywhere: webhook event, practitioner, booking, payment.
"""

import logging
import math
from datetime import timedelta
from decimal import Decimal

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from bookings import services as booking_services
from bookings.errors import SlotUnavailable
from bookings.models import Booking, BookingStatus
from core.errors import ApplicationError, Conflict, ServiceUnavailable
from directory.models import PractitionerProfile, Service
from payments.models import (
    Payment,
    PaymentStatus,
    Refund,
    RefundReason,
    RefundStatus,
    StripeCustomer,
    WebhookEvent,
)
from payments.stripe_client import connect_enabled, get_client

logger = logging.getLogger("payments")


class PaymentProviderUnavailable(ServiceUnavailable):
    code = "payment_provider_unavailable"
    message = "The payment provider cannot be reached; nothing was booked. Try again shortly."


class PaymentNotPossible(Conflict):
    code = "payment_not_possible"
    message = "The payment provider refused this payment; nothing was booked."


class PractitionerCannotAcceptPayments(Conflict):
    code = "practitioner_cannot_accept_payments"
    message = "This practitioner cannot accept payments yet."


class RefundExceedsPayment(Conflict):
    code = "refund_exceeds_payment"
    message = "The refund would exceed what was paid."


class ConnectDisabled(Conflict):
    code = "connect_disabled"
    message = "Payouts to practitioners are not enabled on this platform."


# --- Paying a booking ------------------------------------------------------------


def platform_fee_for(amount: int) -> int:
    """The platform's fee: rounded up (in the platform's favour), never above the amount."""
    percent = Decimal(str(settings.PLATFORM_FEE_PERCENT))
    return min(amount, max(0, math.ceil(Decimal(amount) * percent / 100)))


def practitioner_can_accept_payments(practitioner: PractitionerProfile) -> bool:
    if not connect_enabled():
        return True  # the platform collects the payment itself
    return bool(practitioner.stripe_account_id and practitioner.charges_enabled)


def payment_check_practitioner(*, practitioner: PractitionerProfile) -> None:
    """Raise 409 before a hold is taken for a practitioner who cannot be paid."""
    if not practitioner_can_accept_payments(practitioner):
        raise PractitionerCannotAcceptPayments()


def booking_book_and_pay(
    *, client: User, service: Service, start, idempotency_key: str | None, fingerprint: str
) -> tuple[Booking, bool]:
    """POST /bookings/: hold the slot and, for a paid service, start its payment.

    Here, not in bookings, because bookings does not know payments. Returns
    (booking, created); a replayed Idempotency-Key gets the same booking and payment.
    """
    if service.price_amount > 0:
        # Refuse before taking a hold when the practitioner cannot be paid.
        payment_check_practitioner(practitioner=service.practitioner)
    booking, created = booking_services.booking_create_idempotent(
        client=client,
        service=service,
        start=start,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
    )
    if booking.status == BookingStatus.PENDING_PAYMENT:
        # Idempotent (a replay gets the same payment). On failure this releases the
        # hold and raises 503/409: no orphan hold, no orphan PaymentIntent.
        payment_start_for_booking(booking=booking)
    return booking, created


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
        "currency": booking.currency,
        "customer": customer_id,
        "metadata": {"booking_id": str(booking.pk)},
    }
    if connect_enabled():
        params["application_fee_amount"] = platform_fee_for(booking.amount)
        params["transfer_data"] = {"destination": booking.practitioner.stripe_account_id}
    return params


def _release_hold(booking: Booking) -> None:
    booking_services.booking_release_failed_start(booking=booking)
    booking.refresh_from_db()


def payment_start_for_booking(*, booking: Booking) -> Payment:
    """Create the PaymentIntent of a freshly held paid booking and record it.

    On any failure the hold is released (the booking expires at once) so the
    slot is free again, and no PaymentIntent is left without a booking.
    """
    existing = Payment.objects.filter(booking=booking).first()
    if existing:
        return existing
    if booking.status != BookingStatus.PENDING_PAYMENT or booking.amount <= 0:
        raise Conflict("This booking does not need a payment.", code="booking_not_payable")

    client = get_client()
    try:
        payment_check_practitioner(practitioner=booking.practitioner)
        customer_id = stripe_customer_get_or_create(user=booking.client)
        intent = client.v1.payment_intents.create(
            params=_payment_intent_params(booking=booking, customer_id=customer_id),
            options={"idempotency_key": f"booking-{booking.pk}-payment-intent"},
        )
    except PractitionerCannotAcceptPayments:
        _release_hold(booking)
        raise
    except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as exc:
        # No usable response, so no PaymentIntent id reached us and the client never gets
        # a client_secret: nothing can be paid against this booking. Worth a retry.
        logger.warning("Stripe unavailable while starting payment for %s: %r", booking.pk, exc)
        _release_hold(booking)
        raise PaymentProviderUnavailable() from exc
    except stripe.StripeError as exc:
        # Stripe refused the charge itself (e.g. below its minimum amount): a retry would
        # fail the same way, so this is a conflict, not an outage.
        logger.error("Stripe refused to start payment for %s: %r", booking.pk, exc)
        _release_hold(booking)
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
        if payment is None:
            _cancel_intent_quietly(intent.id)
            _release_hold(booking)
            raise
        if payment.payment_intent_id != intent.id:
            _cancel_intent_quietly(intent.id)
    except Exception:
        _cancel_intent_quietly(intent.id)
        _release_hold(booking)
        raise
    return payment


def _cancel_intent_quietly(payment_intent_id: str) -> bool:
    try:
        get_client().v1.payment_intents.cancel(payment_intent_id)
    except stripe.StripeError as exc:
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

    Called by `expire_holds` after it marked holds expired. A PaymentIntent that
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


# --- Refunds -------------------------------------------------------------------


def _refund_reserve(*, payment: Payment, amount: int, reason: str) -> Refund:
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
    refund.save(update_fields=["stripe_refund_id", "status", "updated_at"])


def _refund_mark_failed(refund: Refund, message: str) -> None:
    payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
    payment.refunded_amount -= refund.amount
    payment.save(update_fields=["refunded_amount", "updated_at"])
    refund.status = RefundStatus.FAILED
    refund.failure_message = message[:500]
    refund.save(update_fields=["stripe_refund_id", "status", "failure_message", "updated_at"])


def _refund_send_or_keep_pending(refund: Refund) -> None:
    try:
        _refund_send(refund)
    except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as exc:
        # Outcome unknown: keep it pending; `expire_holds` retries with the same key.
        logger.warning("Refund %s left pending, Stripe unavailable: %r", refund.pk, exc)
    except stripe.StripeError as exc:
        logger.error("Stripe refused refund %s: %r", refund.pk, exc)
        with transaction.atomic():
            _refund_mark_failed(refund, str(exc))


def payment_refund(*, booking: Booking, amount: int, reason: str) -> Refund | None:
    """Refund `amount` of the booking's payment, capped by our ledger.

    Returns None when nothing was collected (no payment, or it never succeeded).
    Repeating a call with the same reason refunds once.
    """
    if amount <= 0:
        return None
    with transaction.atomic(durable=True):
        payment = Payment.objects.select_for_update().filter(booking=booking).first()
        if payment is None or payment.status != PaymentStatus.SUCCEEDED:
            return None
        refund = _refund_reserve(payment=payment, amount=amount, reason=reason)
    _refund_send_or_keep_pending(refund)
    refund.refresh_from_db()
    return refund


def booking_cancel_with_refund(*, booking: Booking, by: User) -> Booking:
    """Cancel a booking and refund its policy amount, never one without the other.

    The cancellation and the refund's reservation in our ledger commit together; Stripe
    moves the money after commit (a failure there leaves the refund pending, and
    `expire_holds` retries it). A payment never made is cancelled so it cannot succeed later.
    """
    refund = None
    with transaction.atomic(durable=True):
        booking = booking_services.booking_cancel(booking=booking, by=by)
        payment = Payment.objects.select_for_update().filter(booking=booking).first()
        if booking.refund_amount and payment and payment.status == PaymentStatus.SUCCEEDED:
            # Capped by what is still refundable (a refund made in Stripe's dashboard counts).
            amount = min(booking.refund_amount, payment.refundable_amount)
            if amount > 0:
                refund = _refund_reserve(
                    payment=payment, amount=amount, reason=RefundReason.CANCELLATION
                )
    if refund is not None:
        _refund_send_or_keep_pending(refund)
    payment_cancel_for_booking(booking=booking)
    return booking


def refunds_retry_pending(*, older_than_seconds: int = 60) -> int:
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    pending = Refund.objects.filter(
        status=RefundStatus.PENDING, stripe_refund_id__isnull=True, created_at__lt=cutoff
    ).select_related("payment")
    count = 0
    for refund in pending:
        _refund_send_or_keep_pending(refund)
        count += 1
    return count


# --- Webhooks ------------------------------------------------------------------


class InvalidEvent(ApplicationError):
    code = "invalid_event"
    message = "The payload is not a Stripe event."


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
    handler = _HANDLERS.get(event_type)
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
    if _str(intent, "currency") != payment.currency:
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
    booking = Booking.objects.get(pk=payment.booking_id)
    PractitionerProfile.objects.select_for_update().get(pk=booking.practitioner_id)
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    return booking, payment


def _on_payment_intent_succeeded(intent) -> str:
    payment, ignored = _payment_for_intent(intent)
    if ignored:
        return ignored
    booking, payment = _lock_booking_and_payment(payment)
    if payment.status != PaymentStatus.SUCCEEDED:
        payment.status = PaymentStatus.SUCCEEDED
        payment.succeeded_at = timezone.now()
        payment.save(update_fields=["status", "succeeded_at", "updated_at"])

    if booking.status == BookingStatus.CONFIRMED:
        return "already confirmed"
    if booking.status in (BookingStatus.PENDING_PAYMENT, BookingStatus.EXPIRED):
        now = timezone.now()
        lapsed = booking.status == BookingStatus.EXPIRED or booking.hold_expires_at <= now
        try:
            booking_services.booking_confirm(booking=booking)
        except SlotUnavailable:
            # The hold ran out and someone else has the slot now: give the money back.
            if booking.status == BookingStatus.PENDING_PAYMENT:
                booking = booking_services.booking_expire(booking=booking)
            reason = RefundReason.SLOT_TAKEN
        else:
            return "confirmed booking after its hold expired" if lapsed else "confirmed booking"
    else:
        # Cancelled (or otherwise closed) before the money arrived: give it all back.
        reason = RefundReason.CANCELLATION
    if payment.refundable_amount == 0:
        return f"nothing left to refund ({reason}); booking {booking.status}"
    refund = _refund_reserve(payment=payment, amount=payment.refundable_amount, reason=reason)
    # Inside the transaction on purpose: if Stripe cannot be reached, nothing is recorded
    # and the event is redelivered; the idempotency key makes the repeat safe.
    try:
        _refund_send(refund)
    except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as exc:
        raise PaymentProviderUnavailable() from exc
    except stripe.StripeError as exc:
        logger.error("Stripe refused refund %s: %r", refund.pk, exc)
        _refund_mark_failed(refund, str(exc))
        return f"refund refused by Stripe ({reason}); booking {booking.status}"
    return f"refunded in full ({reason}); booking {booking.status}"


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
    if _str(charge, "currency") != payment.currency or _int(charge, "amount") != payment.amount:
        logger.warning("Charge %s does not match payment %s", _str(charge, "id"), payment.pk)
        return "ignored: amount mismatch"
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    stripe_refunded = min(_int(charge, "amount_refunded") or 0, payment.amount)
    missing = stripe_refunded - payment.refunded_amount
    if missing > 0:
        # Refunded outside Stillpoint (e.g. the Stripe dashboard): record it in the ledger.
        Refund.objects.create(
            payment=payment,
            amount=missing,
            reason=RefundReason.EXTERNAL,
            status=RefundStatus.SUCCEEDED,
        )
        payment.refunded_amount = stripe_refunded
        payment.save(update_fields=["refunded_amount", "updated_at"])
    Refund.objects.filter(
        payment=payment, status=RefundStatus.PENDING, stripe_refund_id__isnull=False
    ).update(status=RefundStatus.SUCCEEDED, updated_at=timezone.now())
    return f"synced refunded amount {payment.refunded_amount}"


def _on_account_updated(account) -> str:
    account_id = _str(account, "id")
    if not account_id:
        return "ignored: unknown account"
    updated = PractitionerProfile.objects.filter(stripe_account_id=account_id).update(
        charges_enabled=account.get("charges_enabled") is True,
        payouts_enabled=account.get("payouts_enabled") is True,
        details_submitted=account.get("details_submitted") is True,
        updated_at=timezone.now(),
    )
    return "updated account status" if updated else "ignored: unknown account"


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


_HANDLERS = {
    "payment_intent.succeeded": _on_payment_intent_succeeded,
    "payment_intent.payment_failed": _on_payment_intent_payment_failed,
    "payment_intent.canceled": _on_payment_intent_canceled,
    "charge.refunded": _on_charge_refunded,
    "account.updated": _on_account_updated,
    "charge.dispute.created": _on_charge_dispute_created,
}


# --- Connect onboarding ----------------------------------------------------------


def payout_onboarding_link_create(*, practitioner: PractitionerProfile) -> str:
    """Create the practitioner's Express account once, then a fresh onboarding link."""
    if not connect_enabled():
        raise ConnectDisabled()
    client = get_client()
    try:
        account_id = practitioner.stripe_account_id
        if not account_id:
            account = client.v1.accounts.create(
                params={
                    "type": "express",
                    "email": practitioner.user.email,
                    "capabilities": {
                        "card_payments": {"requested": True},
                        "transfers": {"requested": True},
                    },
                    "metadata": {"practitioner_id": str(practitioner.pk)},
                },
                options={"idempotency_key": f"connect-account-{practitioner.pk}"},
            )
            with transaction.atomic(durable=True):
                locked = PractitionerProfile.objects.select_for_update().get(pk=practitioner.pk)
                if not locked.stripe_account_id:
                    locked.stripe_account_id = account.id
                    locked.save(update_fields=["stripe_account_id", "updated_at"])
                account_id = locked.stripe_account_id
            practitioner.stripe_account_id = account_id
        link = client.v1.account_links.create(
            params={
                "account": account_id,
                "refresh_url": settings.STRIPE_CONNECT_REFRESH_URL,
                "return_url": settings.STRIPE_CONNECT_RETURN_URL,
                "type": "account_onboarding",
            }
        )
    except stripe.StripeError as exc:
        logger.warning("Stripe unavailable for onboarding %s: %r", practitioner.pk, exc)
        raise PaymentProviderUnavailable(
            "The payment provider cannot be reached. Try again shortly."
        ) from exc
    return link.url


def payout_status_refresh(*, practitioner: PractitionerProfile) -> PractitionerProfile:
    """Read the Connect account's status from Stripe now (webhooks keep it current too)."""
    if not (connect_enabled() and practitioner.stripe_account_id):
        return practitioner
    try:
        account = get_client().v1.accounts.retrieve(practitioner.stripe_account_id)
    except stripe.StripeError as exc:
        raise PaymentProviderUnavailable() from exc
    with transaction.atomic(durable=True):
        _on_account_updated(account)
    practitioner.refresh_from_db()
    return practitioner
