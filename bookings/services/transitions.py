"""What the parties do to a booking: cancel (with its refund), reschedule, complete, no-show.

Staff may cancel, complete and mark a no-show too (`as_staff=True`, used by the admin):
the same rules and side effects as for the party, under the role "staff". A staff
cancellation refunds as the practitioner's does, in full: the client is not at fault.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import require_staff
from bookings import payment_port
from bookings.errors import InvalidTransition, SlotUnavailable
from bookings.events import booking_event_publish
from bookings.locks import lock_booking
from bookings.models import CANCELLATION_REASON_MAX_LENGTH, Booking, BookingStatus, CancelledBy
from bookings.notifications import booking_notify
from bookings.payment_port import RefundReason
from bookings.services.creation import as_utc
from bookings.services.slot_claims import require_free_slot
from bookings.snapshots import service_snapshot
from core.errors import PermissionDenied
from directory.models import Service

# The role of a cancellation, completion or no-show by staff (the admin's actions).
STAFF = CancelledBy.STAFF


def _require_party(booking: Booking, user: User, *, as_staff: bool = False) -> str:
    if as_staff:
        require_staff(user)
        return STAFF
    if booking.client_id == user.pk:
        return "client"
    if booking.practitioner.user_id == user.pk:
        return "practitioner"
    raise PermissionDenied("You are not a party to this booking.")


def _require_practitioner(booking: Booking, user: User, *, as_staff: bool = False) -> None:
    if as_staff:
        require_staff(user)
    elif booking.practitioner.user_id != user.pk:
        raise PermissionDenied("Only the booking's practitioner can do this.")


def _canceller_role(booking: Booking, user: User | None, *, as_staff: bool) -> CancelledBy:
    """Who cancels: a party, staff (`as_staff`), or the system (no user)."""
    if user is None:
        return CancelledBy.SYSTEM
    return CancelledBy(_require_party(booking, user, as_staff=as_staff))


def refund_amount_for_cancellation(*, booking: Booking, by_role: str, now: datetime) -> int:
    """Full refund when anyone but the client (the practitioner, staff, the system)
    cancels, or the client cancels in time."""
    if booking.status != BookingStatus.CONFIRMED:
        return 0  # nothing has been paid on a pending booking
    window = timedelta(hours=booking.practitioner.cancellation_window_hours)
    if by_role != CancelledBy.CLIENT or booking.start - now >= window:
        return booking.amount
    return booking.amount * booking.practitioner.late_cancellation_refund_percent // 100


def booking_cancel(
    *,
    booking: Booking,
    by: User | None,
    reason: str = "",
    now: datetime | None = None,
    as_staff: bool = False,
) -> Booking:
    """A party (or staff, `as_staff`; or the system when `by` is None) cancels a pending or
    confirmed booking; the client gets the policy refund (all of it unless the client
    cancels late).

    The cancellation, who made it and why, and the refund's reservation in the payment
    ledger commit together, never one without the other; the money moves after commit
    (if the provider cannot be reached the refund stays reserved and `expire_holds`
    retries it). A payment never made is cancelled so that it cannot succeed later.
    """
    now = now or timezone.now()
    reason = (reason or "").strip()
    if len(reason) > CANCELLATION_REASON_MAX_LENGTH:
        raise ValidationError({"reason": [f"At most {CANCELLATION_REASON_MAX_LENGTH} characters."]})
    port = payment_port.get()
    reservation = None
    with transaction.atomic(durable=True):
        booking = lock_booking(booking)
        role = _canceller_role(booking, by, as_staff=as_staff)
        if booking.status not in (BookingStatus.PENDING_PAYMENT, BookingStatus.CONFIRMED):
            raise InvalidTransition(f"A {booking.status} booking cannot be cancelled.")
        if booking.status == BookingStatus.CONFIRMED and now >= booking.start:
            # From its start a session is completed or a no-show, never cancelled for a refund.
            raise InvalidTransition(
                "A booking cannot be cancelled once it has started.", code="booking_started"
            )
        was_confirmed = booking.status == BookingStatus.CONFIRMED
        booking.refund_amount = refund_amount_for_cancellation(
            booking=booking, by_role=role, now=now
        )
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = now
        booking.cancelled_by = by
        booking.cancelled_by_role = role
        booking.cancellation_reason = reason
        booking.ics_sequence += 1
        booking.save()
        if booking.refund_amount:
            # Capped by what is still refundable (a refund made elsewhere counts).
            reservation = port.reserve_refund(
                booking=booking, amount=booking.refund_amount, reason=RefundReason.CANCELLATION
            )
        if was_confirmed:
            booking_notify(booking=booking, kind="cancelled")
        booking_event_publish(booking=booking, kind="cancelled")
    if reservation is not None:
        port.send_refund(reservation)
    port.cancel_payment(booking=booking)
    return booking


def booking_complete(
    *, booking: Booking, by: User, now: datetime | None = None, as_staff: bool = False
) -> Booking:
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        booking = lock_booking(booking)
        _require_practitioner(booking, by, as_staff=as_staff)
        if booking.status != BookingStatus.CONFIRMED:
            raise InvalidTransition(f"A {booking.status} booking cannot be completed.")
        if now < booking.end:
            raise InvalidTransition("A booking can be completed only after it ends.")
        booking.status = BookingStatus.COMPLETED
        booking.completed_at = now
        booking.save(update_fields=["status", "completed_at", "updated_at"])
        booking_event_publish(booking=booking, kind="completed")
    return booking


def booking_mark_no_show(
    *, booking: Booking, by: User, now: datetime | None = None, as_staff: bool = False
) -> Booking:
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        booking = lock_booking(booking)
        _require_practitioner(booking, by, as_staff=as_staff)
        if booking.status != BookingStatus.CONFIRMED:
            raise InvalidTransition(f"A {booking.status} booking cannot be marked a no-show.")
        if now < booking.start:
            raise InvalidTransition("A no-show can be recorded only after the start.")
        booking.status = BookingStatus.NO_SHOW
        booking.save(update_fields=["status", "updated_at"])
        booking_event_publish(booking=booking, kind="no_show")
    return booking


def booking_reschedule(
    *, booking: Booking, by: User, start: datetime, now: datetime | None = None
) -> Booking:
    """Move a confirmed booking to another free slot of its service; its payment stays."""
    now = now or timezone.now()
    start = as_utc(start)
    try:
        with transaction.atomic(durable=True):
            booking = lock_booking(booking)
            practitioner = booking.practitioner
            role = _require_party(booking, by)
            if booking.status != BookingStatus.CONFIRMED:
                raise InvalidTransition(f"A {booking.status} booking cannot be rescheduled.")
            window = timedelta(hours=practitioner.cancellation_window_hours)
            if role == "client" and booking.start - now < window:
                raise InvalidTransition(
                    "Too close to the start to reschedule; the cancellation window has begun.",
                    code="reschedule_window_closed",
                )
            service = Service.objects.select_related("location").get(pk=booking.service_id)
            if not service.is_active:
                raise SlotUnavailable("This service cannot be booked any more.")
            end, blocked_start, blocked_end = require_free_slot(
                practitioner=practitioner,
                service=service,
                start=start,
                now=now,
                exclude_booking_id=booking.pk,
            )
            booking.start, booking.end = start, end
            booking.blocked_start, booking.blocked_end = blocked_start, blocked_end
            booking.ics_sequence += 1
            # The session now takes place as the service is offered now (its name, its
            # location); its price and payment stay as booked.
            snapshot = service_snapshot(service)
            for name, value in snapshot.items():
                setattr(booking, name, value)
            booking.save(
                update_fields=[
                    "start",
                    "end",
                    "blocked_start",
                    "blocked_end",
                    "ics_sequence",
                    "updated_at",
                    *snapshot,
                ]
            )
            booking_notify(booking=booking, kind="rescheduled")
            booking_event_publish(booking=booking, kind="rescheduled")
    except IntegrityError as exc:
        raise SlotUnavailable() from exc
    return booking
