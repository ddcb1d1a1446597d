"""SMS reminders through the API: a client with a phone number (`PATCH /api/v1/me/`) gets
one SMS per offset beside the e-mail while SMS is on; withdrawn and moved like the e-mails."""

import logging
from datetime import timedelta
from urllib.parse import parse_qsl

import pytest
import responses

from outbox.models import MessageStatus, OutboxMessage
from outbox.services import outbox_deliver_due
from tests.bookings.conftest import BERLIN_DST_SUNDAY_10, iso
from tests.factories import client_for, make_user

pytestmark = pytest.mark.django_db

SID = "AC0123456789abcdef0123456789abcdef"
MESSAGES_URL = f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json"


def client_with_phone(phone="+49 151 23456789"):
    client = make_user(name="Anna Kowalski")
    api = client_for(client)
    response = api.patch("/api/v1/me/", {"phone": phone})
    assert response.status_code == 200, response.json()
    return client, api


def book(api, service, start) -> str:
    response = api.post("/api/v1/bookings/", {"service": str(service.pk), "start": iso(start)})
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def sms_rows(**filters):
    return OutboxMessage.objects.filter(channel="sms", **filters).order_by("next_attempt_at")


def test_a_client_with_a_phone_gets_an_sms_per_offset_beside_the_e_mail(clock, berlin, caplog):
    _user, _profile, service = berlin
    _client, api = client_with_phone()
    booking_id = book(api, service, BERLIN_DST_SUNDAY_10)
    rows = list(sms_rows())
    assert [(r.recipient, BERLIN_DST_SUNDAY_10 - r.next_attempt_at) for r in rows] == [
        ("+4915123456789", timedelta(minutes=1440)),
        ("+4915123456789", timedelta(minutes=120)),
    ]
    assert {r.not_after for r in rows} == {BERLIN_DST_SUNDAY_10}
    assert OutboxMessage.objects.filter(channel="email", not_after__isnull=False).count() == 2

    clock.move_to(rows[0].next_attempt_at, tick=False)
    with caplog.at_level(logging.INFO, logger="outbox.sms"):
        outbox_deliver_due()
    (logged,) = [r for r in caplog.records if r.name == "outbox.sms"]
    assert logged.sms_to == "+4915123456789"
    assert logged.sms_body == (
        "Reminder: Craniosacral session with Mira Lind, Sun 31 Mar 2030, 10:00 CEST\n"
        "Practice, Torstraße 1, 10119 Berlin, DE\n"
        f"Manage: http://127.0.0.1:3000/bookings/{booking_id}"
    )


def test_sms_reminders_go_through_twilio_when_configured(clock, berlin, settings):
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = SID, "token"
    settings.TWILIO_FROM = "+15005550006"
    _user, _profile, service = berlin
    _client, api = client_with_phone()
    book(api, service, BERLIN_DST_SUNDAY_10)
    clock.move_to(BERLIN_DST_SUNDAY_10 - timedelta(minutes=120), tick=False)
    with responses.RequestsMock() as twilio:
        twilio.post(MESSAGES_URL, status=201, json={"sid": "SM1"})
        outbox_deliver_due()
        assert len(twilio.calls) == 2  # the day-ahead one and the two-hour one
        sent = [dict(parse_qsl(call.request.body)) for call in twilio.calls]
    assert {s["To"] for s in sent} == {"+4915123456789"}
    assert all("10:00 CEST" in s["Body"] for s in sent)
    assert {r.status for r in sms_rows()} == {MessageStatus.SENT}


def test_no_sms_without_a_phone_or_with_sms_off(clock, berlin, settings):
    _user, _profile, service = berlin
    book(client_for(make_user()), service, BERLIN_DST_SUNDAY_10)
    assert not sms_rows().exists()
    settings.SMS_BACKEND = "none"
    _client, api = client_with_phone()
    book(api, service, BERLIN_DST_SUNDAY_10 + timedelta(days=1))
    assert not sms_rows().exists()
    assert OutboxMessage.objects.filter(channel="email", not_after__isnull=False).count() == 4


def test_cancel_and_reschedule_move_the_sms_too(clock, berlin):
    _user, _profile, service = berlin
    _client, api = client_with_phone()
    booking_id = book(api, service, BERLIN_DST_SUNDAY_10)
    new_start = BERLIN_DST_SUNDAY_10 + timedelta(days=2)
    api.post(f"/api/v1/bookings/{booking_id}/reschedule/", {"start": iso(new_start)})
    assert {r.not_after for r in sms_rows(status=MessageStatus.PENDING)} == {new_start}
    assert sms_rows(status=MessageStatus.CANCELLED).count() == 2
    api.post(f"/api/v1/bookings/{booking_id}/cancel/")
    assert not sms_rows(status=MessageStatus.PENDING).exists()


def test_a_stored_number_that_is_no_longer_valid_only_means_no_sms(clock, berlin):
    _user, _profile, service = berlin
    client, api = client_with_phone()
    # Written past the API (an import, an older release): the booking still goes through.
    type(client).objects.filter(pk=client.pk).update(phone="+49123")
    book(api, service, BERLIN_DST_SUNDAY_10)
    assert not sms_rows().exists()
    assert OutboxMessage.objects.filter(channel="email", not_after__isnull=False).count() == 2
