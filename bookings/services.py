"""Writes on bookings: create (with holds and idempotency), and every state transition.

Lock order, everywhere: the practitioner row first, then booking rows. Services
that payments calls from inside its own transaction (confirm, expire, cancel) open
a plain `atomic()`; those only views call open a durable one.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from bookings.errors import IdempotencyKeyReused, InvalidTransition, SlotUnavailable
from bookings.models import Booking, BookingStatus, CalendarFeedToken, IdempotencyKey
from bookings.notifications import booking_notify
from bookings.selectors import (
    IDEMPOTENCY_TTL,
    active_bookings_q,
    idempotency_key_live,
    practitioner_slots,
)
from bookings.slots import horizon
from core.errors import PermissionDenied
from directory.models import PractitionerProfile, Service


def request_fingerprint(data) -> str:
    """A stable digest of a JSON request body (key order and whitespace do not matter)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _as_utc(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        raise SlotUnavailable("The start needs a UTC offset.")
    return moment.astimezone(UTC)


def _lock_practitioner(practitioner_id) -> PractitionerProfile:
    return PractitionerProfile.objects.select_for_update().get(pk=practitioner_id)


def _lock_booking(booking_id) -> Booking:
    return Booking.objects.select_for_update().select_related("practitioner").get(pk=booking_id)


def _expire_lapsed_holds(*, practitioner_id, start: datetime, end: datetime, now: datetime):
    # The PostgreSQL exclusion constraint cannot know about now(): a lapsed hold must
    # leave the active statuses before a new booking may take its range.
    Booking.objects.filter(
        practitioner_id=practitioner_id,
        status=BookingStatus.PENDING_PAYMENT,
        hold_expires_at__lte=now,
        blocked_start__lt=end,
        blocked_end__gt=start,
    ).update(status=BookingStatus.EXPIRED, updated_at=now)


def _require_free_slot(
    *,
    practitioner: PractitionerProfile,
    service: Service,
    start: datetime,
    now: datetime,
    exclude_booking_id=None,
) -> tuple[datetime, datetime, datetime]:
    """Check `start` is a slot the engine offers now; return (end, blocked_start, blocked_end)."""
    first, last = horizon(now.date())
    if not first <= start.date() <= last:
        raise SlotUnavailable()
    end = start + timedelta(minutes=service.duration_minutes)
    blocked_start, blocked_end = start, end + timedelta(minutes=practitioner.buffer_minutes)
    _expire_lapsed_holds(
        practitioner_id=practitioner.pk, start=blocked_start, end=blocked_end, now=now
    )
    local_day = start.astimezone(ZoneInfo(practitioner.timezone)).date()
    offered = practitioner_slots(
        practitioner=practitioner,
        service=service,
        date_from=local_day,
        date_to=local_day,
        now=now,
        exclude_booking_id=exclude_booking_id,
    )
    if not any(slot.start == start for slot in offered):
        raise SlotUnavailable()
    # The same test the database constraint makes, on the stored blocked ranges.
    clash = Booking.objects.filter(
        active_bookings_q(now=now),
        practitioner_id=practitioner.pk,
        blocked_start__lt=blocked_end,
        blocked_end__gt=blocked_start,
    )
    if exclude_booking_id is not None:
        clash = clash.exclude(pk=exclude_booking_id)
    if clash.exists():
        raise SlotUnavailable()
    return end, blocked_start, blocked_end


def _bookable_service(service: Service, client: User) -> None:
    if not service.is_active or not service.practitioner.is_published:
        raise SlotUnavailable("This service cannot be booked.")
    if service.practitioner.user_id == client.pk:
        raise PermissionDenied("You cannot book your own service.")


def _create_locked(
    *,
    client: User,
    practitioner: PractitionerProfile,
    service: Service,
    start: datetime,
    now: datetime,
) -> Booking:
    end, blocked_start, blocked_end = _require_free_slot(
        practitioner=practitioner, service=service, start=start, now=now
    )
    paid = service.price_amount > 0
    booking = Booking.objects.create(
        client=client,
        practitioner=practitioner,
        service=service,
        location_id=service.location_id,
        status=BookingStatus.PENDING_PAYMENT if paid else BookingStatus.CONFIRMED,
        start=start,
        end=end,
        blocked_start=blocked_start,
        blocked_end=blocked_end,
        duration_minutes=service.duration_minutes,
        amount=service.price_amount,
        currency=service.currency.lower(),
        hold_expires_at=now + timedelta(minutes=settings.BOOKING_HOLD_MINUTES) if paid else None,
    )
    if not paid:
        transaction.on_commit(partial(booking_notify, booking_id=booking.pk, kind="confirmed"))
    return booking


def booking_create(
    *, client: User, service: Service, start: datetime, now: datetime | None = None
) -> Booking:
    """Book `start` if the engine offers it now: paid → pending_payment with a hold."""
    booking, _ = booking_create_idempotent(client=client, service=service, start=start, now=now)
    return booking


def booking_create_idempotent(
    *,
    client: User,
    service: Service,
    start: datetime,
    idempotency_key: str | None = None,
    fingerprint: str = "",
    now: datetime | None = None,
) -> tuple[Booking, bool]:
    """Like booking_create; with a key, a replay returns the first booking and False."""
    given_now, now = now, now or timezone.now()
    if idempotency_key is not None and not 0 < len(idempotency_key) <= 255:
        raise ValidationError({"Idempotency-Key": ["Use a key of 1 to 255 characters."]})
    start = _as_utc(start)
    _bookable_service(service, client)
    if idempotency_key:
        replay = _replay(client=client, key=idempotency_key, fingerprint=fingerprint, now=now)
        if replay is not None:
            return replay, False
    try:
        with transaction.atomic(durable=True):
            practitioner = _lock_practitioner(service.practitioner_id)
            now = given_now or timezone.now()  # the lock may have taken a while
            if idempotency_key:
                # Again under the lock: a concurrent request with the same key (and so
                # the same practitioner) has committed by now and is replayed.
                replay = _replay(
                    client=client, key=idempotency_key, fingerprint=fingerprint, now=now
                )
                if replay is not None:
                    return replay, False
            booking = _create_locked(
                client=client, practitioner=practitioner, service=service, start=start, now=now
            )
            if idempotency_key:
                IdempotencyKey.objects.filter(
                    user=client, key=idempotency_key, created_at__lte=now - IDEMPOTENCY_TTL
                ).delete()
                IdempotencyKey.objects.create(
                    user=client,
                    key=idempotency_key,
                    fingerprint=fingerprint,
                    booking=booking,
                    created_at=now,
                )
    except IntegrityError as exc:
        # Either the exclusion constraint (a race lost to another transaction) or a
        # concurrent request with the same Idempotency-Key for another practitioner won.
        if idempotency_key:
            replay = _replay(client=client, key=idempotency_key, fingerprint=fingerprint, now=now)
            if replay is not None:
                return replay, False
        raise SlotUnavailable() from exc
    return booking, True


def _replay(*, client: User, key: str, fingerprint: str, now: datetime) -> Booking | None:
    stored = idempotency_key_live(user=client, key=key, now=now)
    if stored is None:
        return None
    if stored.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    return stored.booking


def _require_party(booking: Booking, user: User) -> str:
    if booking.client_id == user.pk:
        return "client"
    if booking.practitioner.user_id == user.pk:
        return "practitioner"
    raise PermissionDenied("You are not a party to this booking.")


def _require_practitioner(booking: Booking, user: User) -> None:
    if booking.practitioner.user_id != user.pk:
        raise PermissionDenied("Only the booking's practitioner can do this.")


def refund_amount_for_cancellation(*, booking: Booking, by_role: str, now: datetime) -> int:
    """Full refund when the practitioner cancels or the client cancels in time."""
    if booking.status != BookingStatus.CONFIRMED:
        return 0  # nothing has been paid on a pending booking
    window = timedelta(hours=booking.practitioner.cancellation_window_hours)
    if by_role == "practitioner" or booking.start - now >= window:
        return booking.amount
    return booking.amount * booking.practitioner.late_cancellation_refund_percent // 100


def booking_cancel(*, booking: Booking, by: User, now: datetime | None = None) -> Booking:
    """Either party cancels a pending or confirmed booking; refund_amount is set by policy.

    Moves no money: payments.services.booking_cancel_with_refund wraps this to refund
    `refund_amount` in the same transaction.
    """
    now = now or timezone.now()
    with transaction.atomic():
        booking = _lock_booking(booking.pk)
        role = _require_party(booking, by)
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
        booking.ics_sequence += 1
        booking.save()
        if was_confirmed:
            transaction.on_commit(partial(booking_notify, booking_id=booking.pk, kind="cancelled"))
    return booking


def booking_complete(*, booking: Booking, by: User, now: datetime | None = None) -> Booking:
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        booking = _lock_booking(booking.pk)
        _require_practitioner(booking, by)
        if booking.status != BookingStatus.CONFIRMED:
            raise InvalidTransition(f"A {booking.status} booking cannot be completed.")
        if now < booking.end:
            raise InvalidTransition("A booking can be completed only after it ends.")
        booking.status = BookingStatus.COMPLETED
        booking.completed_at = now
        booking.save(update_fields=["status", "completed_at", "updated_at"])
    return booking


def booking_mark_no_show(*, booking: Booking, by: User, now: datetime | None = None) -> Booking:
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        booking = _lock_booking(booking.pk)
        _require_practitioner(booking, by)
        if booking.status != BookingStatus.CONFIRMED:
            raise InvalidTransition(f"A {booking.status} booking cannot be marked a no-show.")
        if now < booking.start:
            raise InvalidTransition("A no-show can be recorded only after the start.")
        booking.status = BookingStatus.NO_SHOW
        booking.save(update_fields=["status", "updated_at"])
    return booking


def booking_reschedule(
    *, booking: Booking, by: User, start: datetime, now: datetime | None = None
) -> Booking:
    """Move a confirmed booking to another free slot of its service; payment stays."""
    now = now or timezone.now()
    start = _as_utc(start)
    try:
        with transaction.atomic(durable=True):
            practitioner = _lock_practitioner(booking.practitioner_id)
            booking = _lock_booking(booking.pk)
            role = _require_party(booking, by)
            if booking.status != BookingStatus.CONFIRMED:
                raise InvalidTransition(f"A {booking.status} booking cannot be rescheduled.")
            window = timedelta(hours=practitioner.cancellation_window_hours)
            if role == "client" and booking.start - now < window:
                raise InvalidTransition(
                    "Too close to the start to reschedule; the cancellation window has begun.",
                    code="reschedule_window_closed",
                )
            service = booking.service
            if not service.is_active:
                raise SlotUnavailable("This service cannot be booked any more.")
            end, blocked_start, blocked_end = _require_free_slot(
                practitioner=practitioner,
                service=service,
                start=start,
                now=now,
                exclude_booking_id=booking.pk,
            )
            booking.start, booking.end = start, end
            booking.blocked_start, booking.blocked_end = blocked_start, blocked_end
            booking.ics_sequence += 1
            booking.save(
                update_fields=[
                    "start",
                    "end",
                    "blocked_start",
                    "blocked_end",
                    "ics_sequence",
                    "updated_at",
                ]
            )
            transaction.on_commit(
                partial(booking_notify, booking_id=booking.pk, kind="rescheduled")
            )
    except IntegrityError as exc:
        raise SlotUnavailable() from exc
    return booking


def booking_confirm(*, booking: Booking, now: datetime | None = None) -> Booking:
    """pending_payment (or a lapsed hold) → confirmed, once payment succeeded.

    Called by payments when Stripe reports success. A hold that ran out confirms only
    if the slot is still free; otherwise SlotUnavailable tells payments to refund.
    Confirming an already confirmed booking is a no-op (webhooks repeat).
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            _lock_practitioner(booking.practitioner_id)
            booking = _lock_booking(booking.pk)
            if booking.status == BookingStatus.CONFIRMED:
                return booking
            lapsed = booking.status == BookingStatus.EXPIRED or (
                booking.status == BookingStatus.PENDING_PAYMENT and booking.hold_expires_at <= now
            )
            if booking.status not in (BookingStatus.PENDING_PAYMENT, BookingStatus.EXPIRED):
                raise InvalidTransition(f"A {booking.status} booking cannot be confirmed.")
            if lapsed:
                _expire_lapsed_holds(
                    practitioner_id=booking.practitioner_id,
                    start=booking.blocked_start,
                    end=booking.blocked_end,
                    now=now,
                )
                clash = (
                    Booking.objects.filter(
                        active_bookings_q(now=now),
                        practitioner_id=booking.practitioner_id,
                        blocked_start__lt=booking.blocked_end,
                        blocked_end__gt=booking.blocked_start,
                    )
                    .exclude(pk=booking.pk)
                    .exists()
                )
                if clash:
                    raise SlotUnavailable("The hold ran out and the slot was taken meanwhile.")
            booking.status = BookingStatus.CONFIRMED
            booking.save(update_fields=["status", "updated_at"])
            transaction.on_commit(partial(booking_notify, booking_id=booking.pk, kind="confirmed"))
    except IntegrityError as exc:
        raise SlotUnavailable() from exc
    return booking


def booking_expire(*, booking: Booking, now: datetime | None = None) -> Booking:
    """Release a pending booking's hold now (its hold ran out, or payment failed to start)."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _lock_booking(booking.pk)
        if booking.status == BookingStatus.EXPIRED:
            return booking
        if booking.status != BookingStatus.PENDING_PAYMENT:
            raise InvalidTransition(f"A {booking.status} booking has no hold to release.")
        booking.status = BookingStatus.EXPIRED
        booking.save(update_fields=["status", "updated_at"])
    return booking


def booking_release_failed_start(*, booking: Booking) -> Booking:
    """Payment could not start: free the slot, and forget the request's Idempotency-Key so
    that the client's retry with the same key books afresh instead of replaying a dead hold."""
    with transaction.atomic():
        booking = booking_expire(booking=booking)
        IdempotencyKey.objects.filter(booking=booking).delete()
    return booking


def bookings_expire_lapsed_holds(*, now: datetime | None = None) -> list:
    """Mark every pending booking whose hold ran out `expired`; return their ids."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        ids = list(
            Booking.objects.filter(
                status=BookingStatus.PENDING_PAYMENT, hold_expires_at__lte=now
            ).values_list("pk", flat=True)
        )
        Booking.objects.filter(pk__in=ids, status=BookingStatus.PENDING_PAYMENT).update(
            status=BookingStatus.EXPIRED, updated_at=now
        )
        IdempotencyKey.objects.filter(created_at__lte=now - IDEMPOTENCY_TTL).delete()
    return ids


def calendar_feed_token_get_or_create(*, user: User) -> CalendarFeedToken:
    with transaction.atomic():
        token, _ = CalendarFeedToken.objects.get_or_create(
            user=user, defaults={"token": secrets.token_urlsafe(32)}
        )
    return token


def calendar_feed_token_rotate(*, user: User) -> CalendarFeedToken:
    """A new secret; the old feed URL stops working at once."""
    with transaction.atomic(durable=True):
        CalendarFeedToken.objects.filter(user=user).delete()
        return CalendarFeedToken.objects.create(user=user, token=secrets.token_urlsafe(32))
