"""Reminders through the API: written when a booking is confirmed, one per offset of the
practitioner's `reminder_offsets_minutes`, due at exact instants (UTC) before the start,
moved by a reschedule, dropped by a cancellation, sent once and never after the start.

The clock is moved with time-machine and the outbox delivered with outbox_deliver_due(),
as the job engine's sweep does.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from bookings.models import Booking, BookingStatus
from outbox.models import MessageStatus, OutboxMessage
from outbox.services import outbox_deliver_due
from tests.bookings.conftest import BERLIN_DST_SUNDAY_10, CLOCK_START, iso
from tests.factories import admin_client_for, client_for, make_practitioner, make_staff, make_user
from tests.ports import closed_port

pytestmark = pytest.mark.django_db


def book(api, service, start) -> str:
    response = api.post("/api/v1/bookings/", {"service": str(service.pk), "start": iso(start)})
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def reminder_rows(**filters):
    # Reminders are the messages that expire: at their booking's start.
    return OutboxMessage.objects.filter(not_after__isnull=False, **filters).order_by(
        "next_attempt_at"
    )


def reminder_mails():
    return [m for m in mail.outbox if m.subject.startswith("Reminder:")]


def confirmed_and_sent(api, service, start) -> str:
    """Book, then send the confirmations (due at once) and forget them."""
    booking_id = book(api, service, start)
    outbox_deliver_due()
    mail.outbox.clear()
    return booking_id


def test_reminders_fall_at_exact_offsets_before_the_start_across_a_dst_change(clock, berlin):
    user, _profile, service = berlin
    client = make_user(name="Anna Kowalski")
    offsets = {"reminder_offsets_minutes": [120, 2880, 1440]}
    assert client_for(user).patch("/api/v1/me/profile/", offsets).status_code == 200

    confirmed_and_sent(client_for(client), service, BERLIN_DST_SUNDAY_10)

    # Exact minutes before 08:00 UTC: the one two days ahead falls at 09:00 CET on Friday,
    # the one two hours ahead at 08:00 CEST on Sunday (the wall-clock hour moved).
    due = [
        datetime(2030, 3, 29, 8, 0, tzinfo=UTC),
        datetime(2030, 3, 30, 8, 0, tzinfo=UTC),
        datetime(2030, 3, 31, 6, 0, tzinfo=UTC),
    ]
    rows = list(reminder_rows())
    assert [row.next_attempt_at for row in rows] == due
    assert {(row.channel, row.recipient, row.not_after) for row in rows} == {
        ("email", client.email, BERLIN_DST_SUNDAY_10)
    }
    for sent, moment in enumerate(due, start=1):
        clock.move_to(moment - timedelta(seconds=1), tick=False)
        assert outbox_deliver_due() == 0  # not before its instant
        clock.move_to(moment, tick=False)
        assert outbox_deliver_due() == 1
        assert len(reminder_mails()) == sent
    assert {m.to[0] for m in mail.outbox} == {client.email}
    assert {m.subject for m in mail.outbox} == {
        "Reminder: Craniosacral session with Mira Lind on Sun 31 Mar 2030, 10:00 CEST"
    }


def test_offsets_already_past_at_confirmation_are_skipped(clock, berlin):
    _user, _profile, service = berlin
    start = CLOCK_START + timedelta(hours=3)  # 16:00 CET: the day-ahead reminder is past
    confirmed_and_sent(client_for(make_user()), service, start)
    assert [row.next_attempt_at for row in reminder_rows()] == [start - timedelta(hours=2)]


def test_a_booking_of_a_practitioner_without_reminders_gets_none(clock, berlin):
    user, _profile, service = berlin
    client_for(user).patch("/api/v1/me/profile/", {"reminder_offsets_minutes": []})
    confirmed_and_sent(client_for(make_user()), service, BERLIN_DST_SUNDAY_10)
    assert not reminder_rows().exists()


def test_offsets_are_read_at_confirmation(clock, berlin):
    user, _profile, service = berlin
    confirmed_and_sent(client_for(make_user()), service, BERLIN_DST_SUNDAY_10)
    client_for(user).patch("/api/v1/me/profile/", {"reminder_offsets_minutes": [30]})
    # The booking confirmed before the edit keeps its reminders.
    assert [BERLIN_DST_SUNDAY_10 - row.next_attempt_at for row in reminder_rows()] == [
        timedelta(minutes=1440),
        timedelta(minutes=120),
    ]


def test_reschedule_moves_the_reminders(clock, berlin):
    _user, _profile, service = berlin
    client = make_user()
    api = client_for(client)
    booking_id = confirmed_and_sent(api, service, BERLIN_DST_SUNDAY_10)
    old = list(reminder_rows())

    new_start = datetime(2030, 4, 2, 7, 0, tzinfo=UTC)  # Tuesday 09:00 CEST
    response = api.post(f"/api/v1/bookings/{booking_id}/reschedule/", {"start": iso(new_start)})
    assert response.status_code == 200, response.json()
    outbox_deliver_due()
    mail.outbox.clear()

    assert {row.status for row in reminder_rows(pk__in=[r.pk for r in old])} == {
        MessageStatus.CANCELLED
    }
    moved = list(reminder_rows(status=MessageStatus.PENDING))
    assert [row.next_attempt_at for row in moved] == [
        new_start - timedelta(minutes=1440),
        new_start - timedelta(minutes=120),
    ]
    assert {row.not_after for row in moved} == {new_start}

    clock.move_to(old[0].next_attempt_at, tick=False)  # the old day-ahead instant
    assert outbox_deliver_due() == 0
    clock.move_to(moved[0].next_attempt_at, tick=False)
    assert outbox_deliver_due() == 1
    (reminder,) = reminder_mails()
    assert "Tue 2 Apr 2030, 09:00 CEST" in reminder.subject


def test_a_reschedule_to_the_same_start_keeps_its_reminders(clock, berlin):
    _user, _profile, service = berlin
    api = client_for(make_user())
    booking_id = confirmed_and_sent(api, service, BERLIN_DST_SUNDAY_10)
    response = api.post(
        f"/api/v1/bookings/{booking_id}/reschedule/", {"start": iso(BERLIN_DST_SUNDAY_10)}
    )
    assert response.status_code == 200, response.json()
    assert reminder_rows(status=MessageStatus.PENDING).count() == 2


def test_cancel_drops_the_reminders(clock, berlin):
    _user, _profile, service = berlin
    client = make_user()
    api = client_for(client)
    booking_id = confirmed_and_sent(api, service, BERLIN_DST_SUNDAY_10)
    assert api.post(f"/api/v1/bookings/{booking_id}/cancel/").status_code == 200
    outbox_deliver_due()
    assert {row.status for row in reminder_rows()} == {MessageStatus.CANCELLED}
    clock.move_to(BERLIN_DST_SUNDAY_10 - timedelta(minutes=1), tick=False)
    assert outbox_deliver_due() == 0
    assert reminder_mails() == []


def test_each_reminder_is_sent_exactly_once(clock, berlin):
    _user, _profile, service = berlin
    confirmed_and_sent(client_for(make_user()), service, BERLIN_DST_SUNDAY_10)
    day_ahead = reminder_rows().first()
    clock.move_to(day_ahead.next_attempt_at + timedelta(minutes=5), tick=False)
    assert outbox_deliver_due() == 1
    assert outbox_deliver_due() == 0  # a second sweep, a second worker: nothing more
    assert len(reminder_mails()) == 1
    day_ahead.refresh_from_db()
    assert (day_ahead.status, day_ahead.attempts) == (MessageStatus.SENT, 1)


def test_a_reminder_not_sent_before_the_start_is_dropped_and_recorded_expired(clock, berlin):
    _user, _profile, service = berlin
    booking_id = confirmed_and_sent(client_for(make_user()), service, BERLIN_DST_SUNDAY_10)
    # No worker ran between the reminders' instants and the start (a long outage).
    clock.move_to(BERLIN_DST_SUNDAY_10 + timedelta(seconds=1), tick=False)
    assert outbox_deliver_due() == 0
    assert reminder_mails() == []
    rows = list(reminder_rows())
    assert {row.status for row in rows} == {MessageStatus.EXPIRED}
    assert all(row.last_error.startswith("not sent: too late") for row in rows)
    assert all(row.attempts == 0 for row in rows)
    assert Booking.objects.get(pk=booking_id).status == BookingStatus.CONFIRMED


def test_a_retry_that_would_come_after_the_start_expires_the_reminder(clock, berlin, settings):
    user, _profile, service = berlin
    client_for(user).patch("/api/v1/me/profile/", {"reminder_offsets_minutes": [120]})
    confirmed_and_sent(client_for(make_user()), service, BERLIN_DST_SUNDAY_10)
    two_hours_ahead = reminder_rows().get()
    # At its instant the mail server is down, and the next try would be after the start.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 2
    settings.OUTBOX_RETRY_BASE_SECONDS = 3 * 60 * 60
    clock.move_to(two_hours_ahead.next_attempt_at, tick=False)
    assert outbox_deliver_due() == 0
    two_hours_ahead.refresh_from_db()
    assert two_hours_ahead.status == MessageStatus.EXPIRED and two_hours_ahead.attempts == 1
    assert "Connection refused" in two_hours_ahead.last_error
    assert "not sent: too late" in two_hours_ahead.last_error


def test_a_paid_booking_gets_its_reminders_when_its_payment_confirms_it(clock, fake_payments):
    _user, _profile, service = make_practitioner(min_notice_minutes=0, max_advance_days=365)
    booking_id = book(client_for(make_user()), service, BERLIN_DST_SUNDAY_10)
    assert Booking.objects.get(pk=booking_id).status == BookingStatus.PENDING_PAYMENT
    assert not reminder_rows().exists()  # a hold is not a session yet

    fake_payments.pay(Booking.objects.get(pk=booking_id))
    assert Booking.objects.get(pk=booking_id).status == BookingStatus.CONFIRMED
    assert reminder_rows(status=MessageStatus.PENDING).count() == 2
    fake_payments.pay(Booking.objects.get(pk=booking_id))  # the provider repeats itself
    assert reminder_rows().count() == 2


def test_a_reminder_a_worker_is_holding_is_withdrawn_by_a_cancel_too(clock, berlin):
    _user, _profile, service = berlin
    api = client_for(make_user())
    booking_id = confirmed_and_sent(api, service, BERLIN_DST_SUNDAY_10)
    # A worker claimed the reminders (and may be sending one right now) when the client cancels.
    reminder_rows().update(claimed_until=CLOCK_START + timedelta(minutes=15))
    assert api.post(f"/api/v1/bookings/{booking_id}/cancel/").status_code == 200
    assert {row.status for row in reminder_rows()} == {MessageStatus.CANCELLED}
    clock.move_to(BERLIN_DST_SUNDAY_10 - timedelta(minutes=1), tick=False)  # lease long over
    assert outbox_deliver_due() == 2  # the cancellation e-mails, nothing else
    assert reminder_mails() == []
    assert {row.status for row in reminder_rows()} == {MessageStatus.CANCELLED}


def test_the_admin_does_not_retry_an_expired_reminder(clock, berlin):
    _user, _profile, service = berlin
    confirmed_and_sent(client_for(make_user()), service, BERLIN_DST_SUNDAY_10)
    clock.move_to(BERLIN_DST_SUNDAY_10 + timedelta(minutes=1), tick=False)
    outbox_deliver_due()
    expired = reminder_rows().first()
    assert expired.status == MessageStatus.EXPIRED
    browser = admin_client_for(make_staff(is_superuser=True))
    page = browser.get("/admin/outbox/outboxmessage/?status=expired")
    assert page.status_code == 200 and expired.recipient in page.content.decode()
    response = browser.post(
        "/admin/outbox/outboxmessage/",
        {"action": "retry_now", "_selected_action": [str(expired.pk)]},
        follow=True,
    )
    assert "0 message(s) will be sent again." in response.content.decode()
    expired.refresh_from_db()
    assert expired.status == MessageStatus.EXPIRED
