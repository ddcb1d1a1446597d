"""Reads: free slots of a practitioner, a user's bookings."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from bookings.models import Booking, BookingStatus, CalendarFeedToken, IdempotencyKey
from bookings.slots import Slot, SlotPolicy, WeeklyRule, compute_slots, day_bounds
from config.errors import NotFound
from directory.models import AvailabilityRule, PractitionerProfile, Service, TimeOff

IDEMPOTENCY_TTL = timedelta(hours=24)


def active_bookings_q(*, now: datetime) -> Q:
    """Bookings that occupy their slot: confirmed, or pending with a running hold."""
    return Q(status=BookingStatus.CONFIRMED) | Q(
        status=BookingStatus.PENDING_PAYMENT, hold_expires_at__gt=now
    )


def published_practitioner_get(*, id_or_slug: str) -> PractitionerProfile:
    qs = PractitionerProfile.objects.filter(is_published=True)
    try:
        profile = qs.filter(pk=uuid.UUID(str(id_or_slug))).first()
    except ValueError:
        profile = None
    if profile is None:
        profile = qs.filter(slug=id_or_slug).first()
    if profile is None:
        raise NotFound("No such practitioner.")
    return profile


def slot_policy(*, practitioner: PractitionerProfile, service: Service) -> SlotPolicy:
    return SlotPolicy(
        duration_minutes=service.duration_minutes,
        interval_minutes=practitioner.slot_interval_minutes,
        buffer_minutes=practitioner.buffer_minutes,
        min_notice_minutes=practitioner.min_notice_minutes,
        max_advance_days=practitioner.max_advance_days,
    )


def practitioner_rules(*, practitioner: PractitionerProfile, service: Service) -> list[WeeklyRule]:
    rules = AvailabilityRule.objects.filter(practitioner=practitioner)
    if service.location_id:
        # A rule tied to another location is not time this in-person service can use.
        rules = rules.filter(Q(location__isnull=True) | Q(location_id=service.location_id))
    return [
        WeeklyRule(weekday, start, end)
        for weekday, start, end in rules.values_list("weekday", "start_minute", "end_minute")
    ]


def practitioner_busy(
    *,
    practitioner_id,
    start: datetime,
    end: datetime,
    now: datetime,
    buffer_minutes: int,
    exclude_booking_id=None,
) -> list[tuple[datetime, datetime]]:
    """Active bookings as engine busy intervals.

    The engine widens busy intervals by the current buffer on both sides; a booking
    stored its own trailing buffer in blocked_end, so passing (start, blocked_end -
    buffer) makes the engine agree exactly with the blocked ranges the database checks.
    """
    qs = Booking.objects.filter(
        active_bookings_q(now=now),
        practitioner_id=practitioner_id,
        blocked_start__lt=end,
        blocked_end__gt=start,
    )
    if exclude_booking_id is not None:
        qs = qs.exclude(pk=exclude_booking_id)
    buffer = timedelta(minutes=buffer_minutes)
    return [(s, max(s, be - buffer)) for s, be in qs.values_list("blocked_start", "blocked_end")]


def practitioner_slots(
    *,
    practitioner: PractitionerProfile,
    service: Service,
    date_from: date,
    date_to: date,
    now: datetime | None = None,
    exclude_booking_id=None,
) -> list[Slot]:
    now = now or timezone.now()
    policy = slot_policy(practitioner=practitioner, service=service)
    window_start, window_end = day_bounds(
        day_from=date_from, day_to=date_to, tz=practitioner.timezone
    )
    # Busy time and time off reach into the window from up to a slot (plus buffer) away.
    margin = timedelta(minutes=service.duration_minutes + 2 * policy.buffer_minutes)
    fetch_start, fetch_end = window_start - margin, window_end + margin
    busy = practitioner_busy(
        practitioner_id=practitioner.pk,
        start=fetch_start,
        end=fetch_end,
        now=now,
        buffer_minutes=policy.buffer_minutes,
        exclude_booking_id=exclude_booking_id,
    )
    time_off = list(
        TimeOff.objects.filter(
            practitioner=practitioner, starts_at__lt=fetch_end, ends_at__gt=fetch_start
        ).values_list("starts_at", "ends_at")
    )
    return compute_slots(
        rules=practitioner_rules(practitioner=practitioner, service=service),
        tz=practitioner.timezone,
        date_from=date_from,
        date_to=date_to,
        policy=policy,
        now=now,
        busy=busy,
        time_off=time_off,
    )


def bookings_visible_to(*, user: User) -> QuerySet[Booking]:
    return Booking.objects.filter(Q(client=user) | Q(practitioner__user=user)).select_related(
        "practitioner", "service", "client"
    )


def booking_get_for_party(*, user: User, booking_id) -> Booking:
    """A booking the user is a party to; anyone else gets 404, not 403."""
    booking = bookings_visible_to(user=user).filter(pk=booking_id).first()
    if booking is None:
        raise NotFound("No such booking.")
    return booking


def idempotency_key_live(*, user: User, key: str, now: datetime) -> IdempotencyKey | None:
    return (
        IdempotencyKey.objects.filter(user=user, key=key, created_at__gt=now - IDEMPOTENCY_TTL)
        .select_related("booking")
        .first()
    )


def practitioner_upcoming_bookings(*, user: User, now: datetime) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(
            practitioner__user=user,
            status=BookingStatus.CONFIRMED,
            end__gte=now,
        )
        .select_related("service", "client", "practitioner", "location")
        .order_by("start")
    )


def service_for_booking(*, service_id) -> Service:
    """The service a booking request names; an unknown one is a 400 on `service`."""
    service = Service.objects.select_related("practitioner").filter(pk=service_id).first()
    if service is None:
        raise ValidationError({"service": ["No such service."]})
    return service


def practitioner_service_get(*, practitioner: PractitionerProfile, service_id) -> Service:
    service = Service.objects.filter(
        pk=service_id, practitioner=practitioner, is_active=True
    ).first()
    if service is None:
        raise ValidationError({"service": ["No active service of this practitioner."]})
    return service


def calendar_feed_owner(*, token: str) -> User:
    feed = CalendarFeedToken.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise NotFound("No such calendar feed.")
    return feed.user
