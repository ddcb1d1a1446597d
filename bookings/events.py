"""Booking events for webhooks (webhooks.services.event_publish): the booking as its
practitioner sees it in the API, published inside the transaction that changed it."""

from __future__ import annotations

from collections.abc import Iterable

from bookings.models import Booking
from bookings.serializers import BookingSerializer
from webhooks.services import event_publish


def booking_event_publish(*, booking: Booking, kind: str) -> None:
    """`kind` is the event's second half: created, confirmed, cancelled, rescheduled,
    completed, no_show, expired."""
    practitioner_user = booking.practitioner.user
    event_publish(
        type=f"booking.{kind}",
        # As the practitioner reads it: the client's contact details, no `payment` block.
        data=BookingSerializer(booking, context={"viewer": practitioner_user}).data,
        owner_user_ids=[practitioner_user.pk],
    )


def bookings_event_publish(*, bookings: Iterable[Booking], kind: str) -> None:
    for booking in bookings:
        booking_event_publish(booking=booking, kind=kind)
