"""RFC 5545 calendar data for bookings: invitations, cancellations and the feed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from icalendar import Calendar, Event, vCalAddress, vText

from bookings.models import Booking
from directory.models import ServiceMode

PRODID = "-//Stillpoint//Bookings//EN"


def booking_uid(booking: Booking) -> str:
    # Stable across reschedules, so calendar apps update the event instead of adding one.
    return f"booking-{booking.pk}@stillpoint"


def _event(booking: Booking, *, cancelled: bool, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", booking_uid(booking))
    event.add("dtstamp", stamp)
    event.add("dtstart", booking.start.astimezone(UTC))
    event.add("dtend", booking.end.astimezone(UTC))
    event.add("sequence", booking.ics_sequence)
    practitioner = booking.practitioner
    event.add("summary", f"{booking.service.name} with {practitioner.display_name}")
    if booking.service.mode == ServiceMode.ONLINE:
        if practitioner.online_meeting_url:
            event.add("location", practitioner.online_meeting_url)
    elif booking.location_id:
        loc = booking.location
        place = ", ".join(part for part in (loc.name, loc.address_line, loc.city) if part)
        event.add("location", place)
    organizer = vCalAddress(f"mailto:{practitioner.user.email}")
    organizer.params["cn"] = vText(practitioner.display_name or practitioner.slug)
    event["organizer"] = organizer
    attendee = vCalAddress(f"mailto:{booking.client.email}")
    attendee.params["cn"] = vText(booking.client.name or booking.client.email)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    event.add("attendee", attendee, encode=0)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def calendar_bytes(
    bookings: Iterable[Booking], *, method: str | None, stamp: datetime | None = None
) -> bytes:
    """A VCALENDAR; method REQUEST or CANCEL for e-mail, None for a subscribed feed."""
    stamp = stamp or datetime.now(UTC)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    for booking in bookings:
        cal.add_component(_event(booking, cancelled=method == "CANCEL", stamp=stamp))
    return cal.to_ical()
