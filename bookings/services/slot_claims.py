"""Claiming a slot: the one check a new, moved or late-confirmed booking passes.

Callers hold the practitioner's lock (bookings.locks), so the check and the write
that follows it see the same calendar.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bookings.availability import practitioner_slots
from bookings.errors import SlotUnavailable
from bookings.models import HOLD_STATUS, Booking, BookingStatus
from bookings.selectors import range_taken
from bookings.slots import horizon
from directory.models import PractitionerProfile, Service


def expire_lapsed_holds(*, practitioner_id, start: datetime, end: datetime, now: datetime):
    # The PostgreSQL exclusion constraint cannot know about now(): a lapsed hold must
    # leave the active statuses before a new booking may take its range.
    Booking.objects.filter(
        practitioner_id=practitioner_id,
        status=HOLD_STATUS,
        hold_expires_at__lte=now,
        blocked_start__lt=end,
        blocked_end__gt=start,
    ).update(status=BookingStatus.EXPIRED, updated_at=now)


def claim_range(
    *,
    practitioner_id,
    blocked_start: datetime,
    blocked_end: datetime,
    now: datetime,
    exclude_id,
    message: str | None = None,
) -> None:
    """Free the range of lapsed holds, then raise SlotUnavailable if it is still taken."""
    expire_lapsed_holds(
        practitioner_id=practitioner_id, start=blocked_start, end=blocked_end, now=now
    )
    if range_taken(
        practitioner_id=practitioner_id,
        blocked_start=blocked_start,
        blocked_end=blocked_end,
        now=now,
        exclude_id=exclude_id,
    ):
        raise SlotUnavailable(message)


def require_free_slot(
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
    expire_lapsed_holds(
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
    # The engine's answer came from the same rows; the stored ranges decide the rest.
    if range_taken(
        practitioner_id=practitioner.pk,
        blocked_start=blocked_start,
        blocked_end=blocked_end,
        now=now,
        exclude_id=exclude_booking_id,
    ):
        raise SlotUnavailable()
    return end, blocked_start, blocked_end
