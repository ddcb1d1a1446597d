"""Reads: free slots of a practitioner, a user's bookings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from bookings import payment_port, sql
from bookings.models import (
    Booking,
    BookingStatus,
    CalendarFeedToken,
    IdempotencyKey,
    active_bookings_q,
)
from bookings.slots import Slot, SlotPolicy, WeeklyRule, compute_slots, day_bounds
from core.errors import NotFound
from directory.models import AvailabilityRule, PractitionerProfile, Service, TimeOff
from directory.selectors import published_practitioner_get

IDEMPOTENCY_TTL = timedelta(hours=24)


# The profile fields the slot engine's policy reads (besides the service's duration).
SLOT_POLICY_FIELDS = (
    "slot_interval_minutes",
    "buffer_minutes",
    "min_notice_minutes",
    "max_advance_days",
)


def slot_policy(*, practitioner, service) -> SlotPolicy:
    """The engine's policy: `practitioner` has the SLOT_POLICY_FIELDS, `service` a duration.

    A profile and a service, or rows of just those values (the bulk search reads rows).
    """
    return SlotPolicy(
        duration_minutes=service.duration_minutes,
        interval_minutes=practitioner.slot_interval_minutes,
        buffer_minutes=practitioner.buffer_minutes,
        min_notice_minutes=practitioner.min_notice_minutes,
        max_advance_days=practitioner.max_advance_days,
    )


def rules_for_service(rows, *, service_location_id) -> list[WeeklyRule]:
    """Rules an engine run for a service may use: rows of (weekday, start, end, location_id).

    A rule tied to another location is not time an in-person service can use.
    """
    return [
        WeeklyRule(weekday, start, end)
        for weekday, start, end, location_id in rows
        if location_id is None or service_location_id is None or location_id == service_location_id
    ]


def busy_intervals(rows, *, buffer_minutes: int) -> list[tuple[int, int]]:
    """Active bookings' (blocked_start, blocked_end) epoch-second rows as engine busy intervals.

    The engine widens busy intervals by the current buffer on both sides; a booking
    stored its own trailing buffer in blocked_end, so passing (start, blocked_end -
    buffer) makes the engine agree exactly with the blocked ranges the database checks.
    """
    buffer = buffer_minutes * 60
    return [(s, max(s, be - buffer)) for s, be in rows]


@dataclass(frozen=True, slots=True)
class Schedule:
    """What the slot engine needs from the database about a practitioner and a window."""

    rules: list[tuple[int, int, int, object]]  # (weekday, start_minute, end_minute, location_id)
    time_off: list[tuple[int, int]]  # epoch seconds
    busy: list[tuple[int, int]]  # engine busy intervals, epoch seconds (see busy_intervals)


def practitioner_schedule(
    *,
    practitioner_id,
    start: datetime,
    end: datetime,
    now: datetime,
    buffer_minutes: int,
    exclude_booking_id=None,
) -> Schedule:
    """Weekly rules, and time off and active bookings overlapping [start, end), in one query."""
    rows = sql.schedule_rows(
        practitioner_id=practitioner_id,
        start=start,
        end=end,
        now=now,
        exclude_booking_id=exclude_booking_id,
    )
    location_field = AvailabilityRule._meta.get_field("location")
    rules, time_off, booked = [], [], []
    for kind, a, b, c, location_id in rows:
        if kind == 0:
            # A hex string on SQLite, a UUID on PostgreSQL.
            rules.append((a, b, c, location_field.to_python(location_id)))
        elif kind == 1:
            time_off.append((a, b))
        else:
            booked.append((a, b))
    return Schedule(rules, time_off, busy_intervals(booked, buffer_minutes=buffer_minutes))


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
    schedule = practitioner_schedule(
        practitioner_id=practitioner.pk,
        start=fetch_start,
        end=fetch_end,
        now=now,
        buffer_minutes=policy.buffer_minutes,
        exclude_booking_id=exclude_booking_id,
    )
    return compute_slots(
        rules=rules_for_service(schedule.rules, service_location_id=service.location_id),
        tz=practitioner.timezone,
        date_from=date_from,
        date_to=date_to,
        policy=policy,
        now=now,
        busy=schedule.busy,
        time_off=schedule.time_off,
    )


def range_taken(
    *,
    practitioner_id,
    blocked_start: datetime,
    blocked_end: datetime,
    now: datetime,
    exclude_id=None,
) -> bool:
    """Whether an active booking's blocked range overlaps [blocked_start, blocked_end).

    The same test the PostgreSQL exclusion constraint makes, with the clock it cannot see.
    """
    clash = Booking.objects.filter(
        active_bookings_q(now=now),
        practitioner_id=practitioner_id,
        blocked_start__lt=blocked_end,
        blocked_end__gt=blocked_start,
    )
    if exclude_id is not None:
        clash = clash.exclude(pk=exclude_id)
    return clash.exists()


def bookings_visible_to(*, user: User) -> QuerySet[Booking]:
    return Booking.objects.filter(Q(client=user) | Q(practitioner__user=user)).select_related(
        "practitioner", "service", "client"
    )


def bookings_listed_for(*, user: User) -> QuerySet[Booking]:
    """GET /bookings/: the user's bookings by start, with what their `payment` block reads."""
    bookings = bookings_visible_to(user=user).order_by("start")
    return payment_port.get().prefetch_payment_views(bookings)


def booking_payment_view(*, booking: Booking, viewer: User) -> dict | None:
    """The booking response's `payment` block (only the paying client gets one)."""
    return payment_port.get().payment_view(booking=booking, viewer=viewer)


def user_has_open_bookings(*, user: User, now: datetime) -> bool:
    """Bookings still to happen (or to be paid) that the user is a party to."""
    return bookings_visible_to(user=user).filter(active_bookings_q(now=now)).exists()


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


_SLOTS_SERVICE_FIELDS = (
    "id",
    "practitioner_id",
    "duration_minutes",
    "location_id",
    "practitioner__id",
    "practitioner__slug",
    "practitioner__timezone",
    "practitioner__slot_interval_minutes",
    "practitioner__buffer_minutes",
    "practitioner__min_notice_minutes",
    "practitioner__max_advance_days",
)


def bookable_service_of(*, id_or_slug: str, service_id) -> Service:
    """An active service of a published practitioner (by id or slug), in one query.

    Anything else falls back to the two lookups that give the precise error:
    404 for the practitioner, 400 on `service`.
    """
    service = (
        Service.objects.select_related("practitioner")
        .filter(pk=service_id, is_active=True, practitioner__is_published=True)
        # What the slots need: loading both whole rows cost more than the slots' own query.
        .only(*_SLOTS_SERVICE_FIELDS)
        .first()
    )
    if service is not None and id_or_slug in (
        str(service.practitioner_id),
        service.practitioner.slug,
    ):
        return service
    practitioner = published_practitioner_get(id_or_slug=id_or_slug)
    return practitioner_service_get(practitioner=practitioner, service_id=service_id)


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


def practitioners_first_free_slot(
    *,
    practitioner_ids,
    date_from: date,
    date_to: date,
    now: datetime | None = None,
    mode: str | None = None,
    earliest: bool = True,
) -> dict:
    """{practitioner id: start of its first free slot in the window, or None}, in bulk.

    The same engine inputs as `practitioner_slots` (which the slots endpoint uses),
    fetched for all practitioners in five queries. A practitioner is available when
    any active service (of `mode`, if given) has a slot; with `earliest=False` the
    first service that has one answers, which is enough to filter but not to order.
    """
    now = now or timezone.now()
    ids = list(practitioner_ids)
    if not ids:
        return {}
    profiles = PractitionerProfile.objects.filter(pk__in=ids).values_list(
        "pk", "timezone", *SLOT_POLICY_FIELDS, named=True
    )
    services = Service.objects.filter(practitioner_id__in=ids, is_active=True)
    if mode:
        services = services.filter(mode=mode)
    services_of: dict = {}
    for service in services.order_by("duration_minutes").values_list(
        "practitioner_id", "duration_minutes", "location_id", named=True
    ):
        services_of.setdefault(service.practitioner_id, []).append(service)
    rules_of: dict = {}
    for pid, *row in AvailabilityRule.objects.filter(practitioner_id__in=ids).values_list(
        "practitioner_id", "weekday", "start_minute", "end_minute", "location_id"
    ):
        rules_of.setdefault(pid, []).append(row)
    # Generous UTC bounds: every zone's local window, plus the longest slot and buffer.
    fetch_start = datetime.combine(date_from - timedelta(days=2), datetime.min.time(), UTC)
    fetch_end = datetime.combine(date_to + timedelta(days=3), datetime.min.time(), UTC)
    busy_of: dict = {}
    for pid, start, end in (
        Booking.objects.filter(
            active_bookings_q(now=now),
            practitioner_id__in=ids,
            blocked_start__lt=fetch_end,
            blocked_end__gt=fetch_start,
        )
        .order_by()
        .values_list(
            "practitioner_id", sql.EpochSeconds("blocked_start"), sql.EpochSeconds("blocked_end")
        )
    ):
        busy_of.setdefault(pid, []).append((start, end))
    off_of: dict = {}
    for pid, start, end in TimeOff.objects.filter(
        practitioner_id__in=ids, starts_at__lt=fetch_end, ends_at__gt=fetch_start
    ).values_list("practitioner_id", "starts_at", "ends_at"):
        off_of.setdefault(pid, []).append((start, end))

    result: dict = {}
    for profile in profiles:
        pid = profile.pk
        best = None
        busy = busy_intervals(busy_of.get(pid, ()), buffer_minutes=profile.buffer_minutes)
        for service in services_of.get(pid, ()):
            slots = compute_slots(
                rules=rules_for_service(
                    rules_of.get(pid, ()), service_location_id=service.location_id
                ),
                tz=profile.timezone,
                date_from=date_from,
                date_to=date_to,
                policy=slot_policy(practitioner=profile, service=service),
                now=now,
                busy=busy,
                time_off=off_of.get(pid, ()),
                limit=1,
            )
            if slots and (best is None or slots[0].start < best):
                best = slots[0].start
                if not earliest:
                    break
        result[pid] = best
    return result
