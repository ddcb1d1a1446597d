"""Reads for the slot engine: a practitioner's free slots, and the first free slot of many.

The engine (bookings.slots) is pure; these gather its inputs from the database: the
weekly rules, time off and active bookings (bookings.sql), and the profile's policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from bookings import sql
from bookings.models import Booking, active_bookings_q
from bookings.slots import Slot, SlotPolicy, WeeklyRule, compute_slots, day_bounds
from directory.models import AvailabilityRule, PractitionerProfile, Service, TimeOff

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


def practitioner_slots_on_days(
    *,
    practitioner: PractitionerProfile,
    service: Service,
    date_from: date,
    date_to: date,
    zone: ZoneInfo,
    now: datetime | None = None,
) -> list[Slot]:
    """The free slots that start on the days `date_from`..`date_to` of `zone` (which may
    differ from the practitioner's: a viewer's Monday is then another stretch of time)."""
    if zone.key == practitioner.timezone:
        return practitioner_slots(
            practitioner=practitioner,
            service=service,
            date_from=date_from,
            date_to=date_to,
            now=now,
        )
    start, end = day_bounds(day_from=date_from, day_to=date_to, tz=zone)
    own = ZoneInfo(practitioner.timezone)
    slots = practitioner_slots(
        practitioner=practitioner,
        service=service,
        date_from=start.astimezone(own).date(),
        date_to=(end - timedelta(microseconds=1)).astimezone(own).date(),
        now=now,
    )
    return [slot for slot in slots if start <= slot.start < end]


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

    Each start is an aware datetime in the practitioner's own zone (what the search
    result shows).

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
        result[pid] = None if best is None else best.astimezone(ZoneInfo(profile.timezone))
    return result
