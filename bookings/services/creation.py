"""Making a booking: hold the slot (idempotently) and, for a paid service, start its payment."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import require_verified_email
from bookings import payment_port
from bookings.errors import (
    HoldExpired,
    IdempotencyKeyReused,
    NotAwaitingPayment,
    PaymentNotPossible,
    PractitionerCannotAcceptPayments,
    SlotUnavailable,
)
from bookings.events import booking_event_publish
from bookings.locks import lock_booking, lock_practitioner
from bookings.models import Booking, BookingStatus, IdempotencyKey
from bookings.notifications import booking_notify
from bookings.selectors import IDEMPOTENCY_TTL, idempotency_key_live
from bookings.services.slot_claims import require_free_slot
from bookings.snapshots import service_snapshot
from core.errors import PermissionDenied
from core.timezones import TimezoneRequired
from directory.models import PractitionerProfile, Service


def request_fingerprint(data) -> str:
    """A stable digest of a JSON request body (key order and whitespace do not matter)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def as_utc(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        raise TimezoneRequired(fields={"start": ["The start needs a UTC offset."]})
    return moment.astimezone(UTC)


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
    end, blocked_start, blocked_end = require_free_slot(
        practitioner=practitioner, service=service, start=start, now=now
    )
    paid = service.price_amount > 0
    booking = Booking.objects.create(
        client=client,
        practitioner=practitioner,
        service=service,
        status=BookingStatus.PENDING_PAYMENT if paid else BookingStatus.CONFIRMED,
        start=start,
        end=end,
        blocked_start=blocked_start,
        blocked_end=blocked_end,
        amount=service.price_amount,
        currency=service.currency,
        hold_expires_at=now + timedelta(minutes=settings.BOOKING_HOLD_MINUTES) if paid else None,
        **service_snapshot(service),
    )
    booking_event_publish(booking=booking, kind="created")
    if not paid:
        booking_notify(booking=booking, kind="confirmed")
        booking_event_publish(booking=booking, kind="confirmed")
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
    """POST /bookings/: book `start` if the engine offers it now; returns (booking, created).

    Free → confirmed. Paid → pending_payment with a hold, and its payment started through
    the payment port; if that fails the hold is released and the port's error (503/409)
    propagates: no orphan hold, no orphan payment. A practitioner who cannot be paid is
    refused before any hold is taken; then a client without a verified e-mail address
    (409 `email_unverified`). With a key, a replay returns the first booking (and its
    payment) and False.
    """
    if service.price_amount > 0:
        # First of all the checks: the API has always answered this one before the others.
        payment_port.get().ensure_payable(practitioner=service.practitioner)
    require_verified_email(client)
    given_now, now = now, now or timezone.now()
    if idempotency_key is not None and not 0 < len(idempotency_key) <= 255:
        raise ValidationError({"Idempotency-Key": ["Use a key of 1 to 255 characters."]})
    start = as_utc(start)
    _bookable_service(service, client)
    booking, created = _hold_or_replay(
        client=client,
        service=service,
        start=start,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        now=now,
        given_now=given_now,
    )
    if booking.status == BookingStatus.PENDING_PAYMENT:
        booking_payment_start(booking=booking)  # a replay gets the same payment
    return booking, created


def _hold_or_replay(
    *, client, service, start, idempotency_key, fingerprint, now, given_now
) -> tuple[Booking, bool]:
    if idempotency_key:
        replay = _replay(client=client, key=idempotency_key, fingerprint=fingerprint, now=now)
        if replay is not None:
            return replay, False
    if service.price_amount > 0:
        # A payment that cannot start now: refuse before taking (and releasing) a hold.
        payment_port.get().ensure_provider_available()
    try:
        with transaction.atomic(durable=True):
            practitioner = lock_practitioner(service.practitioner_id)
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


def booking_payment_start(*, booking: Booking) -> None:
    """Start the payment of a held booking; if that fails, release the hold and re-raise."""
    try:
        payment_port.get().start_payment(booking=booking)
    except Exception:
        booking_release_failed_start(booking=booking)
        booking.refresh_from_db()
        raise


def booking_payment_resume(*, booking: Booking, by: User, now: datetime | None = None) -> Booking:
    """POST /bookings/{id}/pay/: the client gets the payment of its held booking, started
    now if it never was (a server died between the hold and the payment); idempotent.

    While the provider is down (503) the hold stays, for a retry before it lapses; when
    the provider or the practitioner cannot take the payment (409) the hold is released.
    """
    now = now or timezone.now()
    if booking.client_id != by.pk:
        raise PermissionDenied("Only the booking's client can pay for it.")
    lapsed = booking.hold_expires_at is None or booking.hold_expires_at <= now
    if booking.status == BookingStatus.EXPIRED or (
        booking.status == BookingStatus.PENDING_PAYMENT and lapsed
    ):
        raise HoldExpired()
    if booking.status != BookingStatus.PENDING_PAYMENT:
        raise NotAwaitingPayment(f"A {booking.status} booking has nothing to pay.")
    try:
        payment_port.get().start_payment(booking=booking)
    except (PaymentNotPossible, PractitionerCannotAcceptPayments):
        booking_release_failed_start(booking=booking)
        raise
    return booking


def booking_release_failed_start(*, booking: Booking) -> Booking:
    """Payment could not start: free the slot, and forget the request's Idempotency-Key so
    that the client's retry with the same key books afresh instead of replaying a dead hold."""
    with transaction.atomic(durable=True):
        booking = lock_booking(booking)
        if booking.status == BookingStatus.PENDING_PAYMENT:
            booking.status = BookingStatus.EXPIRED
            booking.save(update_fields=["status", "updated_at"])
            booking_event_publish(booking=booking, kind="expired")
        IdempotencyKey.objects.filter(booking=booking).delete()
    return booking


def idempotency_keys_purge(*, now: datetime | None = None) -> int:
    """Delete keys older than their 24 h replay window (a periodic job)."""
    now = now or timezone.now()
    return IdempotencyKey.objects.filter(created_at__lte=now - IDEMPOTENCY_TTL).delete()[0]
