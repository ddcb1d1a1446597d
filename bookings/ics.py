"""RFC 5545 calendar data for bookings: invitations, cancellations and the feed.

Times are in the practitioner's zone (`DTSTART;TZID=Europe/Berlin:...`) with the zone's
VTIMEZONE, so calendar apps show the session at its wall-clock time in that zone even
where their own zone data differs. The bytes are UTF-8; responses and attachments say so.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

from bookings.models import Booking
from directory.models import ServiceMode

PRODID = "-//Stillpoint//Bookings//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def booking_uid(booking: Booking) -> str:
    # Stable across reschedules, so calendar apps update the event instead of adding one.
    return f"booking-{booking.pk}@stillpoint"


def _event(booking: Booking, *, zone: ZoneInfo, cancelled: bool, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", booking_uid(booking))
    event.add("dtstamp", stamp)
    event.add("dtstart", booking.start.astimezone(zone))
    event.add("dtend", booking.end.astimezone(zone))
    event.add("sequence", booking.ics_sequence)
    practitioner = booking.practitioner
    event.add("summary", f"{booking.service_name} with {practitioner.display_name}")
    if booking.service_mode == ServiceMode.ONLINE:
        if practitioner.online_meeting_url:
            event.add("location", practitioner.online_meeting_url)
    elif booking.location_id:
        place = ", ".join(
            part for part in (booking.location_name, booking.location_address) if part
        )
        event.add("location", place)
        if booking.location_latitude is not None:
            event.add("geo", (booking.location_latitude, booking.location_longitude))
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
    bookings: Iterable[Booking],
    *,
    method: str | None,
    timezone: str,
    stamp: datetime | None = None,
) -> bytes:
    """A VCALENDAR in `timezone` (the practitioner's); method REQUEST or CANCEL for
    e-mail, None for a subscribed feed."""
    stamp = stamp or datetime.now(UTC)
    zone = ZoneInfo(timezone)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    else:
        cal.add("x-wr-timezone", timezone)  # the feed's zone, for apps that read it
    first = last = stamp
    for booking in bookings:
        cal.add_component(_event(booking, zone=zone, cancelled=method == "CANCEL", stamp=stamp))
        first, last = min(first, booking.start), max(last, booking.end)
    # The zone's rules for the span the events need (a year either side), not 1970-2038.
    cal.add_missing_timezones(
        first_date=(first - timedelta(days=366)).date(),
        last_date=(last + timedelta(days=366)).date(),
    )
    return cal.to_ical()
