"""What the notifications say: the practitioner's local time with its zone (subjects too),
the address or the online link, and the link to manage the booking in the web app."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from icalendar import Calendar

from bookings.models import BookingStatus
from outbox.services import outbox_deliver_due
from tests.bookings.conftest import BERLIN_DST_SUNDAY_10, iso
from tests.factories import (
    client_for,
    make_booking,
    make_moderator,
    make_practitioner,
    make_service,
    make_user,
)

pytestmark = pytest.mark.django_db


def book(api, service, start) -> str:
    response = api.post("/api/v1/bookings/", {"service": str(service.pk), "start": iso(start)})
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def sent_mails(subject_start: str = ""):
    outbox_deliver_due()
    return [m for m in mail.outbox if m.subject.startswith(subject_start)]


def test_confirmation_to_both_parties_in_local_time_with_address_and_link(clock, berlin):
    user, _profile, service = berlin
    client = make_user(name="Anna Kowalski")
    booking_id = book(client_for(client), service, BERLIN_DST_SUNDAY_10)
    mails = sent_mails("Booking confirmed")
    assert sorted(m.to[0] for m in mails) == sorted([client.email, user.email])
    for message in mails:
        assert message.subject == (
            "Booking confirmed: Craniosacral session on Sun 31 Mar 2030, 10:00 CEST"
        )
        assert "UTC" not in message.subject
        assert "Craniosacral session with Mira Lind\n" in message.body
        assert "Client: Anna Kowalski\n" in message.body
        assert "When:   Sunday 31 March 2030, 10:00-11:00 CEST (Europe/Berlin)\n" in message.body
        assert "Where:  Practice, Torstraße 1, 10119 Berlin, DE\n" in message.body
        assert f"Manage this booking: http://127.0.0.1:3000/bookings/{booking_id}\n" in (
            message.body
        )


def test_winter_time_is_shown_as_such(clock, berlin):
    _user, _profile, service = berlin
    saturday_10_cet = BERLIN_DST_SUNDAY_10 - timedelta(days=1) + timedelta(hours=1)
    book(client_for(make_user()), service, saturday_10_cet)
    (first, _) = sent_mails("Booking confirmed")
    assert first.subject.endswith("on Sat 30 Mar 2030, 10:00 CET")


def test_a_zone_without_an_abbreviation_shows_its_offset(clock):
    _user, _profile, service = make_practitioner(
        name="Lia Souza",
        timezone="America/Sao_Paulo",
        price_amount=0,
        max_advance_days=365,
        min_notice_minutes=0,
    )
    book(client_for(make_user()), service, datetime(2030, 3, 25, 13, 0, tzinfo=UTC))
    (first, _) = sent_mails("Booking confirmed")
    assert first.subject.endswith("on Mon 25 Mar 2030, 10:00 UTC-03")
    assert "10:00-11:00 UTC-03 (America/Sao_Paulo)" in first.body


def test_manage_link_uses_frontend_url(clock, berlin, settings):
    settings.FRONTEND_URL = "https://app.stillpoint.example"
    _user, _profile, service = berlin
    booking_id = book(client_for(make_user()), service, BERLIN_DST_SUNDAY_10)
    for message in sent_mails("Booking confirmed"):
        assert f"https://app.stillpoint.example/bookings/{booking_id}" in message.body


def test_an_online_session_shows_the_meeting_link(clock, berlin):
    user, profile, _service = berlin
    online = make_service(profile, name="Online session", price_amount=0)
    link = "https://meet.example.org/mira-lind"
    client_for(user).patch("/api/v1/me/profile/", {"online_meeting_url": link})
    client = make_user()
    book(client_for(client), online, BERLIN_DST_SUNDAY_10)
    for message in sent_mails("Booking confirmed"):
        assert f"Where:  Online: {link}\n" in message.body
        assert "Torstraße" not in message.body
        event = Calendar.from_ical(message.attachments[0][1]).walk("VEVENT")[0]
        assert str(event["location"]) == link

    clock.move_to(BERLIN_DST_SUNDAY_10 - timedelta(days=1), tick=False)
    (reminder,) = sent_mails("Reminder:")
    assert f"Where: Online: {link}\n" in reminder.body


def test_an_online_session_without_a_link_says_where_it_will_come_from(clock, berlin):
    _user, profile, _service = berlin
    online = make_service(profile, name="Online session", price_amount=0)
    book(client_for(make_user()), online, BERLIN_DST_SUNDAY_10)
    (first, _) = sent_mails("Booking confirmed")
    assert "Where:  Online (the link comes from Mira Lind)\n" in first.body


def test_cancellation_and_reschedule_texts_in_local_time(clock, berlin):
    _user, _profile, service = berlin
    api = client_for(make_user())
    booking_id = book(api, service, BERLIN_DST_SUNDAY_10)
    new_start = datetime(2030, 4, 2, 7, 0, tzinfo=UTC)
    api.post(f"/api/v1/bookings/{booking_id}/reschedule/", {"start": iso(new_start)})
    moved = sent_mails("Booking moved")
    assert len(moved) == 2
    assert (
        moved[0].subject == "Booking moved: Craniosacral session now on Tue 2 Apr 2030, 09:00 CEST"
    )
    assert "This session was moved to a new time." in moved[0].body
    assert "When:   Tuesday 2 April 2030, 09:00-10:00 CEST (Europe/Berlin)" in moved[0].body

    api.post(f"/api/v1/bookings/{booking_id}/cancel/")
    cancelled = sent_mails("Booking cancelled")
    assert len(cancelled) == 2
    assert cancelled[0].subject.endswith("on Tue 2 Apr 2030, 09:00 CEST")
    assert f"/bookings/{booking_id}\n" in cancelled[0].body


def test_reminder_text_has_local_time_place_and_link(clock, berlin):
    _user, _profile, service = berlin
    booking_id = book(client_for(make_user()), service, BERLIN_DST_SUNDAY_10)
    clock.move_to(BERLIN_DST_SUNDAY_10 - timedelta(days=1), tick=False)
    (reminder,) = sent_mails("Reminder:")
    assert reminder.subject == (
        "Reminder: Craniosacral session with Mira Lind on Sun 31 Mar 2030, 10:00 CEST"
    )
    assert "When:  Sunday 31 March 2030, 10:00-11:00 CEST (Europe/Berlin)\n" in reminder.body
    assert "Where: Practice, Torstraße 1, 10119 Berlin, DE\n" in reminder.body
    assert f"To reschedule or cancel: http://127.0.0.1:3000/bookings/{booking_id}\n" in (
        reminder.body
    )


def test_review_approval_mail_names_the_session_in_local_time(
    clock, berlin, django_capture_on_commit_callbacks
):
    user, _profile, service = berlin
    reviewer = make_user()
    session = make_booking(
        client=reviewer,
        service=service,
        start=datetime(2030, 3, 18, 9, 0, tzinfo=UTC),  # Monday 10:00 CET
        status=BookingStatus.COMPLETED,
    )
    review = client_for(reviewer).post(
        f"/api/v1/bookings/{session.pk}/review/",
        {"rating": 5, "text": "A calm, careful and kind session."},
    )
    assert review.status_code == 201, review.json()
    with django_capture_on_commit_callbacks(execute=True):
        approved = client_for(make_moderator()).post(
            f"/api/v1/moderation/reviews/{review.json()['id']}/approve/"
        )
    assert approved.status_code == 200
    (message,) = mail.outbox
    assert message.to == [user.email]
    assert message.subject == "A review of your Craniosacral session on Mon 18 Mar 2030 is public"
    assert "Session: Craniosacral session, Monday 18 March 2030, 10:00-11:00 CET" in message.body
    assert "Where:   Practice, Torstraße 1, 10119 Berlin, DE\n" in message.body
    assert f"The booking: http://127.0.0.1:3000/bookings/{session.pk}\n" in message.body
    assert "Rating:  5 of 5\n" in message.body
