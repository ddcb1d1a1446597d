"""Where a booking's money settles it: confirm once paid, refund a payment that came too
late, release holds that ran out.

`booking_payment_succeeded` is the one service the payment adapter calls when the
provider reports a payment: bookings, not the adapter, decides between confirming and
refunding, and asks the port to move the money.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.db import IntegrityError, transaction
from django.utils import timezone

from bookings import payment_port
from bookings.errors import InvalidTransition, PaymentProviderUnavailable, SlotUnavailable
from bookings.events import booking_event_publish, bookings_event_publish
from bookings.locks import lock_booking, lock_practitioner
from bookings.models import HOLD_STATUS, Booking, BookingStatus, IdempotencyKey
from bookings.notifications import booking_notify
from bookings.payment_port import RefundReason, RefundSent, TidyUpReport
from bookings.selectors import IDEMPOTENCY_TTL
from bookings.services.slot_claims import claim_range


def booking_confirm(*, booking: Booking, now: datetime | None = None) -> Booking:
    """pending_payment (or a lapsed hold) → confirmed, once its payment succeeded.

    A hold that ran out confirms only if the slot is still free; otherwise
    SlotUnavailable. Confirming an already confirmed booking is a no-op (providers
    repeat their notifications). Runs inside the caller's transaction, if any.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            booking = lock_booking(booking)
            if booking.status == BookingStatus.CONFIRMED:
                return booking
            if booking.status not in (BookingStatus.PENDING_PAYMENT, BookingStatus.EXPIRED):
                raise InvalidTransition(f"A {booking.status} booking cannot be confirmed.")
            if booking.status == BookingStatus.EXPIRED or booking.hold_expires_at <= now:
                claim_range(
                    practitioner_id=booking.practitioner_id,
                    blocked_start=booking.blocked_start,
                    blocked_end=booking.blocked_end,
                    now=now,
                    exclude_id=booking.pk,
                    message="The hold ran out and the slot was taken meanwhile.",
                )
            booking.status = BookingStatus.CONFIRMED
            booking.save(update_fields=["status", "updated_at"])
            booking_notify(booking=booking, kind="confirmed")
            booking_event_publish(booking=booking, kind="confirmed")
    except IntegrityError as exc:
        raise SlotUnavailable() from exc
    return booking


def booking_expire(*, booking: Booking, now: datetime | None = None) -> Booking:
    """Release a pending booking's hold now. Runs inside the caller's transaction, if any."""
    with transaction.atomic():
        booking = lock_booking(booking)
        if booking.status == BookingStatus.EXPIRED:
            return booking
        if booking.status != BookingStatus.PENDING_PAYMENT:
            raise InvalidTransition(f"A {booking.status} booking has no hold to release.")
        booking.status = BookingStatus.EXPIRED
        booking.save(update_fields=["status", "updated_at"])
        booking_event_publish(booking=booking, kind="expired")
    return booking


class PaymentSettled(StrEnum):
    ALREADY_CONFIRMED = "already_confirmed"
    CONFIRMED = "confirmed"
    CONFIRMED_AFTER_LAPSE = "confirmed_after_lapse"  # paid after the hold ran out, slot free
    REFUNDED = "refunded"  # in full: the slot was taken meanwhile, or it was cancelled
    REFUND_REFUSED = "refund_refused"  # the provider refused that refund
    NOTHING_TO_REFUND = "nothing_to_refund"


@dataclass(frozen=True, slots=True)
class PaymentOutcome:
    """What booking_payment_succeeded did; the adapter records it with the notification."""

    action: PaymentSettled
    booking_status: str
    refund_reason: RefundReason | None = None


def booking_payment_succeeded(*, booking: Booking, now: datetime | None = None) -> PaymentOutcome:
    """The booking's payment succeeded: confirm it, or give all the money back.

    Called by the payment adapter inside its transaction, after it locked the booking
    (bookings.locks) and then its own payment row and recorded the success. A hold that
    lapsed still confirms while the slot is free; if the slot was taken meanwhile, or the
    booking was cancelled before the money arrived, the whole payment is refunded, sent
    inside the transaction: if the provider cannot be reached, PaymentProviderUnavailable
    rolls everything back so that the provider notifies again.
    """
    now = now or timezone.now()
    booking = lock_booking(booking)
    if booking.status == BookingStatus.CONFIRMED:
        return PaymentOutcome(PaymentSettled.ALREADY_CONFIRMED, booking.status)
    if booking.status in (BookingStatus.PENDING_PAYMENT, BookingStatus.EXPIRED):
        lapsed = booking.status == BookingStatus.EXPIRED or booking.hold_expires_at <= now
        try:
            booking = booking_confirm(booking=booking, now=now)
        except SlotUnavailable:
            if booking.status == BookingStatus.PENDING_PAYMENT:
                booking = booking_expire(booking=booking, now=now)
            reason = RefundReason.SLOT_TAKEN
        else:
            action = PaymentSettled.CONFIRMED_AFTER_LAPSE if lapsed else PaymentSettled.CONFIRMED
            return PaymentOutcome(action, booking.status)
    else:
        # Cancelled (or otherwise closed) before the money arrived.
        reason = RefundReason.CANCELLATION
    port = payment_port.get()
    reservation = port.reserve_refund(booking=booking, amount=booking.amount, reason=reason)
    if reservation is None:
        return PaymentOutcome(PaymentSettled.NOTHING_TO_REFUND, booking.status, reason)
    sent = port.send_refund(reservation)
    if sent == RefundSent.PENDING:
        # Inside the webhook's transaction: nothing is recorded, the provider is told to
        # deliver the event again (503), and the repeat refunds with the same key.
        raise PaymentProviderUnavailable()
    if sent == RefundSent.REFUSED:
        return PaymentOutcome(PaymentSettled.REFUND_REFUSED, booking.status, reason)
    return PaymentOutcome(PaymentSettled.REFUNDED, booking.status, reason)


def bookings_expire_lapsed_holds(*, now: datetime | None = None) -> list:
    """Mark every pending booking whose hold ran out `expired`; return their ids.

    One short transaction per practitioner, under its lock (bookings.locks), so that this
    never takes booking rows in another order than a confirmation running at the same time.
    """
    now = now or timezone.now()
    lapsed = Booking.objects.filter(status=HOLD_STATUS, hold_expires_at__lte=now)
    practitioner_ids = set(lapsed.values_list("practitioner_id", flat=True))
    expired = []
    for practitioner_id in practitioner_ids:
        with transaction.atomic(durable=True):
            lock_practitioner(practitioner_id)
            ids = list(lapsed.filter(practitioner_id=practitioner_id).values_list("pk", flat=True))
            Booking.objects.filter(pk__in=ids, status=HOLD_STATUS).update(
                status=BookingStatus.EXPIRED, updated_at=now
            )
            bookings_event_publish(
                bookings=Booking.objects.filter(pk__in=ids).select_related("practitioner"),
                kind="expired",
            )
        expired += ids
    with transaction.atomic(durable=True):
        IdempotencyKey.objects.filter(created_at__lte=now - IDEMPOTENCY_TTL).delete()
    return expired


def bookings_tidy_up_payments() -> TidyUpReport:
    """After expiring holds: cancel payments that can no longer be made, retry refunds."""
    return payment_port.get().tidy_up()
