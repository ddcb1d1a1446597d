"""E-mails to client and practitioner with an .ics attachment; sent after commit."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage

from bookings.ics import calendar_bytes
from bookings.models import Booking

logger = logging.getLogger(__name__)

SUBJECTS = {
    "confirmed": "Booking confirmed: {service} on {start:%Y-%m-%d %H:%M} UTC",
    "cancelled": "Booking cancelled: {service} on {start:%Y-%m-%d %H:%M} UTC",
    "rescheduled": "Booking moved: {service} now on {start:%Y-%m-%d %H:%M} UTC",
}


def booking_notify(*, booking_id, kind: str) -> None:
    """Runs in transaction.on_commit: a mail failure must not undo the booking."""
    booking = Booking.objects.select_related(
        "client", "practitioner__user", "service", "location"
    ).get(pk=booking_id)
    method = "CANCEL" if kind == "cancelled" else "REQUEST"
    ics = calendar_bytes([booking], method=method)
    subject = SUBJECTS[kind].format(service=booking.service.name, start=booking.start)
    body = (
        f"{booking.service.name} with {booking.practitioner.display_name}\n"
        f"{booking.start:%Y-%m-%d %H:%M} - {booking.end:%H:%M} UTC\n"
        f"Status: {booking.status}\n"
    )
    for recipient in (booking.client.email, booking.practitioner.user.email):
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
        message.attach("booking.ics", ics, f"text/calendar; method={method}; charset=utf-8")
        try:
            message.send()
        except Exception:  # the booking stands; a lost e-mail is logged, not raised
            logger.exception("booking e-mail failed", extra={"booking": str(booking_id)})
