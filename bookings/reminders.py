"""A confirmed booking's reminders to its client, as outbox messages.

One e-mail per offset of the practitioner's `reminder_offsets_minutes`, and one SMS per
offset when the client has a phone number and SMS is on. Each is due `offset` minutes
(exact minutes: across a DST change the wall-clock hour shifts) before the start and
expires at the start, so the sender drops one that would arrive late (recorded
`expired`). Offsets already past when the booking is confirmed are skipped.

The offsets are read when the booking is confirmed, and again when it is rescheduled:
an edit of the profile changes the reminders of bookings confirmed or moved after it.
Each reminder's dedupe key names the booking, its calendar sequence, start, offset and
channel, so a repeated confirmation writes nothing twice; a reschedule withdraws the old
ones (their key prefix) and writes new ones, a cancellation withdraws them.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from accounts.models import User
from bookings.models import Booking
from bookings.texts import reminder_email, reminder_sms
from outbox.email import email_enqueue
from outbox.services import messages_cancel
from outbox.sms import InvalidPhoneNumber, phone_number_e164, sms_enabled, sms_enqueue

logger = logging.getLogger(__name__)


def client_sms_number(user: User) -> str | None:
    """The number a client's SMS reminders go to (E.164), or None for no SMS.

    The one place that reads a client's phone: `User.phone`, E.164 or empty (accounts
    validates it; checked again here so that a stored bad number never breaks a booking's
    transaction, it only goes without SMS)."""
    raw = user.phone
    if not raw:
        return None
    try:
        return phone_number_e164(raw)
    except InvalidPhoneNumber:
        logger.warning("client phone number is not valid; no SMS", extra={"user": str(user.pk)})
        return None


def reminder_key_prefix(booking: Booking) -> str:
    return f"reminder:{booking.pk}:"


def reminder_key(booking: Booking, *, offset: int, channel: str) -> str:
    start = booking.start.astimezone(UTC)
    moment = f"{booking.ics_sequence}:{start:%Y%m%dT%H%MZ}"
    return f"{reminder_key_prefix(booking)}{moment}:{offset}:{channel}"


def reminders_schedule(*, booking: Booking, now: datetime | None = None) -> int:
    """Write the booking's reminders in the caller's transaction; returns how many.

    Needs the booking with client, practitioner__user, service and location loaded."""
    now = now or timezone.now()
    due_offsets = [
        offset
        for offset in booking.practitioner.reminder_offsets_minutes
        if booking.start - timedelta(minutes=offset) > now
    ]
    if not due_offsets:
        return 0
    email = booking.client.email
    number = client_sms_number(booking.client) if sms_enabled() else None
    subject, body = reminder_email(booking=booking)
    text = reminder_sms(booking=booking)
    written = 0
    for offset in due_offsets:
        due = booking.start - timedelta(minutes=offset)
        if email:
            email_enqueue(
                to=email,
                subject=subject,
                body=body,
                dedupe_key=reminder_key(booking, offset=offset, channel="email"),
                not_before=due,
                not_after=booking.start,
            )
            written += 1
        if number:
            sms_enqueue(
                to=number,
                body=text,
                dedupe_key=reminder_key(booking, offset=offset, channel="sms"),
                not_before=due,
                not_after=booking.start,
            )
            written += 1
    return written


def reminders_withdraw(*, booking: Booking) -> int:
    """Withdraw the booking's reminders not sent yet (cancelled or moved)."""
    return messages_cancel(dedupe_key_prefix=reminder_key_prefix(booking))
