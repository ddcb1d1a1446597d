"""The SMS channel: numbers checked when a message is written, the console backend, and
Twilio's Messages API (driven with `responses`: its documented parameters, basic auth,
and what each kind of answer means for the message)."""

import base64
import logging
from datetime import timedelta
from urllib.parse import parse_qsl

import pytest
import requests
import responses
from django.utils import timezone

from outbox.models import MessageStatus, OutboxMessage
from outbox.services import outbox_deliver_due
from outbox.sms import InvalidPhoneNumber, sms_enabled, sms_enqueue
from tests.config.test_security import run_manage

pytestmark = pytest.mark.django_db

SID, TOKEN, FROM = "AC0123456789abcdef0123456789abcdef", "twilio-test-token", "+15005550006"
MESSAGES_URL = f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json"


@pytest.fixture
def twilio(settings):
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = SID, TOKEN
    settings.TWILIO_FROM = FROM
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def row():
    return OutboxMessage.objects.get()


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("+49 151 23456789", "+4915123456789"), ("+1 (415) 555-2671", "+14155552671")],
)
def test_a_number_is_stored_in_e164(raw, stored):
    sms_enqueue(to=raw, body="Hello")
    assert (row().channel, row().recipient, row().payload["to"]) == ("sms", stored, stored)


@pytest.mark.parametrize("raw", ["", "0301234567", "+49123", "not a number", "+99 123 456"])
def test_an_invalid_number_is_refused_when_written(raw):
    with pytest.raises(InvalidPhoneNumber):
        sms_enqueue(to=raw, body="Hello")
    assert not OutboxMessage.objects.exists()


def test_console_backend_logs_the_text_and_sends_nothing(settings, caplog):
    settings.SMS_BACKEND = "console"
    assert sms_enabled()
    sms_enqueue(to="+4915123456789", body="Reminder: your session at 10:00 CEST")
    with caplog.at_level(logging.INFO, logger="outbox.sms"):
        assert outbox_deliver_due() == 1
    logged = [r for r in caplog.records if r.name == "outbox.sms"]
    assert [(r.sms_to, r.sms_body) for r in logged] == [
        ("+4915123456789", "Reminder: your session at 10:00 CEST")
    ]
    assert row().status == MessageStatus.SENT


def test_twilio_gets_to_from_body_with_basic_auth(twilio):
    twilio.post(MESSAGES_URL, status=201, json={"sid": "SM123", "status": "queued"})
    sms_enqueue(to="+4915123456789", body="Reminder: Craniosacral session, 10:00 CEST")
    assert outbox_deliver_due() == 1
    (call,) = twilio.calls
    assert call.request.method == "POST" and call.request.url == MESSAGES_URL
    assert dict(parse_qsl(call.request.body)) == {
        "To": "+4915123456789",
        "From": FROM,
        "Body": "Reminder: Craniosacral session, 10:00 CEST",
    }
    expected = base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    assert call.request.headers["Authorization"] == f"Basic {expected}"
    assert row().status == MessageStatus.SENT
    assert outbox_deliver_due() == 0 and len(twilio.calls) == 1  # sent once


def test_a_number_twilio_refuses_fails_at_once(twilio):
    twilio.post(
        MESSAGES_URL,
        status=400,
        json={"code": 21211, "message": "The 'To' number is not a valid phone number."},
    )
    sms_enqueue(to="+4915123456789", body="Hello")
    assert outbox_deliver_due() == 0
    assert row().status == MessageStatus.FAILED and "Twilio 400 21211" in row().last_error


@pytest.mark.parametrize("status", [500, 503])
def test_a_twilio_server_error_is_retried_later(twilio, status):
    twilio.post(MESSAGES_URL, status=status, json={"code": 20500, "message": "Internal"})
    sms_enqueue(to="+4915123456789", body="Hello")
    assert outbox_deliver_due() == 0
    message = row()
    assert message.status == MessageStatus.PENDING and message.attempts == 1
    assert message.next_attempt_at > timezone.now()
    assert f"Twilio {status}" in message.last_error


@pytest.mark.parametrize(
    "error", [requests.exceptions.ConnectTimeout(), requests.exceptions.ConnectionError()]
)
def test_twilio_unreachable_delays_the_whole_batch(twilio, error):
    twilio.post(MESSAGES_URL, body=error)
    sms_enqueue(to="+4915123456789", body="First")
    sms_enqueue(to="+14155552671", body="Second")
    assert outbox_deliver_due() == 0
    assert len(twilio.calls) == 1  # the second waits instead of timing out too
    rows = OutboxMessage.objects.all()
    assert {r.status for r in rows} == {MessageStatus.PENDING}
    assert sorted(r.attempts for r in rows) == [0, 1]


def test_twilio_rate_limit_waits_as_told(twilio):
    twilio.post(MESSAGES_URL, status=429, json={"code": 20429}, headers={"Retry-After": "120"})
    sms_enqueue(to="+4915123456789", body="Hello")
    outbox_deliver_due()
    message = row()
    assert message.status == MessageStatus.PENDING
    wait = message.next_attempt_at - timezone.now()
    assert timedelta(seconds=110) < wait <= timedelta(seconds=120)


def test_wrong_credentials_keep_the_message_for_when_they_are_fixed(twilio):
    twilio.post(MESSAGES_URL, status=401, json={"code": 20003, "message": "Authenticate"})
    sms_enqueue(to="+4915123456789", body="Hello")
    outbox_deliver_due()
    assert row().status == MessageStatus.PENDING and "Twilio 401 20003" in row().last_error


def test_sms_off_writes_none_and_keeps_what_was_written(settings):
    sms_enqueue(to="+4915123456789", body="Written while SMS was on")
    settings.SMS_BACKEND = "none"
    assert not sms_enabled()
    assert outbox_deliver_due() == 0
    assert row().status == MessageStatus.PENDING and "SMS_BACKEND is none" in row().last_error


def test_twilio_without_credentials_fails_at_start_up():
    result = run_manage("check", env_overrides={"SMS_BACKEND": "twilio", "TWILIO_FROM": FROM})
    assert result.returncode != 0 and "TWILIO_ACCOUNT_SID" in result.stderr
    unknown = run_manage("check", env_overrides={"SMS_BACKEND": "pigeon"})
    assert unknown.returncode != 0 and "SMS_BACKEND must be" in unknown.stderr
