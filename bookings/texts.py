"""Every text bookings send: the e-mails on confirmation, cancellation and reschedule, and
the reminders (e-mail and SMS).

Each says when in the practitioner's local time with its zone ("09:00 CET", subjects
too), where (the address, or the online link for an online session) and links to the
booking in the web app (`FRONTEND_URL/bookings/<id>`). Upper apps that write about a
booking (reviews) build their texts from `booking_facts` as well.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

from bookings.models import Booking
from directory.models import ServiceMode

SERVICE_NAME_IN_SMS = 40


@dataclass(frozen=True, slots=True)
class BookingFacts:
    """What every text says about a booking, ready to print."""

    service: str
    practitioner: str
    client: str
    when: str  # "Monday 9 March 2026, 09:00-10:00 CET (Europe/Berlin)"
    when_short: str  # "Mon 9 Mar 2026, 09:00 CET"
    date: str  # "Mon 9 Mar 2026"
    place: str  # an address, "Online: <link>", or how the link will come
    manage_url: str


def zone_label(moment: datetime) -> str:
    """The zone's abbreviation at that moment ("CET", "CEST"), or "UTC-03" where the zone
    has none."""
    name = moment.tzname() or ""
    return f"UTC{name}" if name[:1] in "+-" else name


def _place(booking: Booking) -> str:
    if booking.service_mode == ServiceMode.ONLINE:
        link = booking.practitioner.online_meeting_url
        if link:
            return f"Online: {link}"
        return f"Online (the link comes from {_practitioner_name(booking)})"
    parts = (booking.location_name, booking.location_address)
    return ", ".join(part for part in parts if part) or "The practitioner's practice"


def _practitioner_name(booking: Booking) -> str:
    profile = booking.practitioner
    return profile.display_name or profile.user.name or "Your practitioner"


def manage_url(booking_id) -> str:
    return f"{settings.FRONTEND_URL}/bookings/{booking_id}"


def booking_facts(booking: Booking) -> BookingFacts:
    """Needs the booking with client and practitioner__user loaded."""
    zone = ZoneInfo(booking.practitioner.timezone)
    start, end = booking.start.astimezone(zone), booking.end.astimezone(zone)
    date = f"{start:%a} {start.day} {start:%b %Y}"
    return BookingFacts(
        service=booking.service_name,
        practitioner=_practitioner_name(booking),
        client=booking.client.name or booking.client.email,
        when=(
            f"{start:%A} {start.day} {start:%B %Y}, {start:%H:%M}-{end:%H:%M} "
            f"{zone_label(start)} ({booking.practitioner.timezone})"
        ),
        when_short=f"{date}, {start:%H:%M} {zone_label(start)}",
        date=date,
        place=_place(booking),
        manage_url=manage_url(booking.pk),
    )


# --- e-mails to both parties on a change ------------------------------------------

CHANGE_SUBJECTS = {
    "confirmed": "Booking confirmed: {service} on {when_short}",
    "cancelled": "Booking cancelled: {service} on {when_short}",
    "rescheduled": "Booking moved: {service} now on {when_short}",
}
CHANGE_HEADLINES = {
    "confirmed": "This session is confirmed.",
    "cancelled": "This session was cancelled.",
    "rescheduled": "This session was moved to a new time.",
}
CHANGE_BODY = """\
{headline}

{service} with {practitioner}
Client: {client}
When:   {when}
Where:  {place}

Manage this booking: {manage_url}
"""


def change_email(*, booking: Booking, kind: str) -> tuple[str, str]:
    """(subject, body) of the e-mail both parties get when a booking is confirmed,
    cancelled or moved."""
    facts = asdict(booking_facts(booking))
    subject = CHANGE_SUBJECTS[kind].format(**facts)
    body = CHANGE_BODY.format(headline=CHANGE_HEADLINES[kind], **facts)
    return subject, body


# --- reminders to the client --------------------------------------------------------

REMINDER_SUBJECT = "Reminder: {service} with {practitioner} on {when_short}"
REMINDER_BODY = """\
A reminder of your session.

{service} with {practitioner}
When:  {when}
Where: {place}

To reschedule or cancel: {manage_url}
"""
REMINDER_SMS = (
    "Reminder: {service} with {practitioner}, {when_short}\n{place}\nManage: {manage_url}"
)


def reminder_email(*, booking: Booking) -> tuple[str, str]:
    facts = asdict(booking_facts(booking))
    return REMINDER_SUBJECT.format(**facts), REMINDER_BODY.format(**facts)


def reminder_sms(*, booking: Booking) -> str:
    facts = asdict(booking_facts(booking))
    service = facts["service"]
    if len(service) > SERVICE_NAME_IN_SMS:
        service = service[: SERVICE_NAME_IN_SMS - 3] + "..."
    return REMINDER_SMS.format(**{**facts, "service": service})
