"""Where a booking change fans out to notifications, all written to the outbox in the
transaction that changes the booking: they exist exactly when the change committed, and
a mail server that is down or hanging delays them without touching the request.

- both parties get an e-mail with an .ics attachment on confirmation, cancellation and
  reschedule (texts in bookings.texts);
- the client's reminders (bookings.reminders) are written on confirmation, withdrawn on
  cancellation and moved on reschedule.
"""

from __future__ import annotations

from bookings.ics import calendar_bytes
from bookings.models import Booking
from bookings.reminders import reminders_schedule, reminders_withdraw
from bookings.texts import change_email
from outbox.email import email_enqueue


def booking_notify(*, booking: Booking, kind: str) -> None:
    """Call inside the transaction that made the change: kind is confirmed, cancelled or
    rescheduled."""
    booking = Booking.objects.select_related("client", "practitioner__user").get(pk=booking.pk)
    method = "CANCEL" if kind == "cancelled" else "REQUEST"
    ics = calendar_bytes([booking], method=method, timezone=booking.practitioner.timezone)
    subject, body = change_email(booking=booking, kind=kind)
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
    if kind in ("cancelled", "rescheduled"):
        reminders_withdraw(booking=booking)
    if kind in ("confirmed", "rescheduled"):
        reminders_schedule(booking=booking)
