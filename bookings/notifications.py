"""E-mails to client and practitioner with an .ics attachment, written to the outbox in
the transaction that changes the booking: they exist exactly when the change committed,
and a mail server that is down or hanging delays them without touching the request."""

from __future__ import annotations

from bookings.ics import calendar_bytes
from bookings.models import Booking
from outbox.email import email_enqueue

SUBJECTS = {
    "confirmed": "Booking confirmed: {service} on {start:%Y-%m-%d %H:%M} UTC",
    "cancelled": "Booking cancelled: {service} on {start:%Y-%m-%d %H:%M} UTC",
    "rescheduled": "Booking moved: {service} now on {start:%Y-%m-%d %H:%M} UTC",
}


def booking_notify(*, booking: Booking, kind: str) -> None:
    """Call inside the transaction that made the change."""
    booking = Booking.objects.select_related(
        "client", "practitioner__user", "service", "location"
    ).get(pk=booking.pk)
    method = "CANCEL" if kind == "cancelled" else "REQUEST"
    ics = calendar_bytes([booking], method=method)
    subject = SUBJECTS[kind].format(service=booking.service.name, start=booking.start)
    body = (
        f"{booking.service.name} with {booking.practitioner.display_name}\n"
        f"{booking.start:%Y-%m-%d %H:%M} - {booking.end:%H:%M} UTC\n"
        f"Status: {booking.status}\n"
    )
    for recipient in (booking.client.email, booking.practitioner.user.email):
        if recipient:
            email_enqueue(
                to=recipient,
                subject=subject,
                body=body,
                attachments=(
                    ("booking.ics", ics, f"text/calendar; method={method}; charset=utf-8"),
                ),
            )
