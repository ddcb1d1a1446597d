"""Demo data of bookings: past sessions that took place, for the demo's reviews to be about.

Written straight to the table in bulk (as `seed_demo` writes the directory's), each
with the service's snapshot as `booking_create_idempotent` takes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from bookings.models import Booking, BookingStatus
from bookings.snapshots import service_snapshot
from directory.models import Service


def completed_bookings_bulk(sessions: Iterable[tuple[object, Service, datetime]]) -> list[Booking]:
    """Insert one completed booking per (client id, service, start) and return them.

    The starts of one practitioner must be further apart than a session and its buffer
    (their blocked times may not overlap).
    """
    bookings = []
    for client_id, service, start in sessions:
        end = start + timedelta(minutes=service.duration_minutes)
        bookings.append(
            Booking(
                client_id=client_id,
                practitioner_id=service.practitioner_id,
                service=service,
                status=BookingStatus.COMPLETED,
                start=start,
                end=end,
                blocked_start=start,
                blocked_end=end + timedelta(minutes=service.practitioner.buffer_minutes),
                amount=service.price_amount,
                currency=service.currency,
                completed_at=end,
                **service_snapshot(service),
            )
        )
    return Booking.objects.bulk_create(bookings, batch_size=2000)
