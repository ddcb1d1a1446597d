"""The outbox's guarantees, driven through the API: an e-mail exists exactly when its
change committed, survives a mail server that is down, is retried with backoff, gives up
visibly after a day, and can be retried from the admin."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from bookings.models import Booking
from outbox.email import email_enqueue, header_safe, message_id
from outbox.models import MessageStatus, OutboxMessage
from outbox.services import outbox_deliver_due, retry_delay_seconds
from tests.bookings.conftest import free_start, iso
from tests.factories import (
    admin_client_for,
    client_for,
    make_practitioner,
    make_staff,
    make_user,
)
from tests.ports import closed_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def free_service(db):
    # A practitioner without reminders: these tests count the booking's own e-mails
    # (reminders have theirs in tests/bookings/test_reminders.py).
    _, profile, service = make_practitioner(
        name="Free Fran", price_amount=0, min_notice_minutes=0, reminder_offsets_minutes=[]
    )
    return profile, service


@pytest.fixture
def smtp_refused(settings):
    """A real SMTP client against a loopback port nobody listens on."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    settings.EMAIL_TIMEOUT = 2


def book(client, service, profile):
    return client.post(
        "/api/v1/bookings/",
        {"service": str(service.pk), "start": iso(free_start(profile, service))},
    )


def test_a_booking_writes_its_e_mails_in_its_own_transaction(
    free_service, django_capture_on_commit_callbacks
):
    profile, service = free_service
    client = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        response = book(client_for(client), service, profile)
    assert response.status_code == 201
    rows = OutboxMessage.objects.order_by("recipient")
    assert sorted(row.recipient for row in rows) == sorted([client.email, profile.user.email])
    assert {row.status for row in rows} == {MessageStatus.SENT}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(row.recipient for row in rows)
    # Each e-mail carries its row's id as Message-ID: a resend is recognisable.
    assert {m.extra_headers["Message-ID"] for m in mail.outbox} == {message_id(row) for row in rows}


def test_a_refused_booking_leaves_no_e_mail_behind(
    free_service, django_capture_on_commit_callbacks
):
    profile, service = free_service
    client = client_for(make_user())
    body = {"service": str(service.pk), "start": iso(free_start(profile, service))}
    assert client.post("/api/v1/bookings/", body).status_code == 201
    assert OutboxMessage.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = client.post("/api/v1/bookings/", body)
    assert again.status_code == 409
    assert OutboxMessage.objects.count() == 2  # nothing for the refusal
    assert callbacks == []  # and no wake-up


def test_mail_server_down_keeps_the_e_mails_and_sends_them_when_it_is_back(
    free_service, smtp_refused, settings, django_capture_on_commit_callbacks
):
    profile, service = free_service
    with django_capture_on_commit_callbacks(execute=True):
        response = book(client_for(make_user()), service, profile)
    assert response.status_code == 201
    assert Booking.objects.get(pk=response.json()["id"]).status == "confirmed"

    rows = list(OutboxMessage.objects.order_by("created_at"))
    assert len(rows) == 2 and {row.status for row in rows} == {MessageStatus.PENDING}
    # The first was tried; the server being down, the second waits without its own timeout.
    tried = [row for row in rows if row.attempts == 1]
    waiting = [row for row in rows if row.attempts == 0]
    assert len(tried) == 1 and len(waiting) == 1
    assert waiting[0].last_error.startswith("not tried:")
    assert all(row.next_attempt_at > timezone.now() for row in rows)

    # Not due yet: a sweep now sends nothing, even with the server back.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox_deliver_due() == 0
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    assert outbox_deliver_due() == 2
    assert len(mail.outbox) == 2
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    assert outbox_deliver_due() == 0  # sent once


def test_backoff_grows_and_is_capped(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    settings.OUTBOX_RETRY_MAX_SECONDS = 3600
    delays = [retry_delay_seconds(n) for n in (1, 2, 3, 10, 20)]
    assert 24 <= delays[0] <= 36 and 48 <= delays[1] <= 72 and 96 <= delays[2] <= 144
    assert 2880 <= delays[3] <= 4320 and 2880 <= delays[4] <= 4320


def test_a_message_gives_up_after_a_day_and_the_admin_retries_it(smtp_refused, settings):
    email_enqueue(to="someone@example.org", subject="Hello", body="Body")
    row = OutboxMessage.objects.get()
    OutboxMessage.objects.update(give_up_at=timezone.now() + timedelta(seconds=1))
    assert outbox_deliver_due() == 0
    row.refresh_from_db()
    assert row.status == MessageStatus.FAILED and row.attempts == 1
    assert outbox_deliver_due() == 0  # a failed row is left alone

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    browser = admin_client_for(make_staff(is_superuser=True))
    changelist = "/admin/outbox/outboxmessage/"
    page = browser.get(changelist + "?status=failed")
    assert page.status_code == 200 and "someone@example.org" in page.content.decode()
    response = browser.post(
        changelist, {"action": "retry_now", "_selected_action": [str(row.pk)]}, follow=True
    )
    assert "1 message(s) will be sent again." in response.content.decode()
    row.refresh_from_db()
    assert row.status == MessageStatus.PENDING and row.give_up_at > timezone.now() + timedelta(
        hours=23
    )
    assert outbox_deliver_due() == 1
    assert [m.to for m in mail.outbox] == [["someone@example.org"]]


def test_an_address_the_server_can_never_take_fails_at_once():
    email_enqueue(to="not an address", subject="Hi", body="x")
    assert outbox_deliver_due() == 0
    row = OutboxMessage.objects.get()
    assert row.status == MessageStatus.FAILED and "invalid address" in row.last_error


def test_a_claimed_message_waits_for_its_lease_then_is_sent_again():
    """A worker that died after claiming: no one else sends it until its lease ran out."""
    email_enqueue(to="a@example.org", subject="Hi", body="x")
    OutboxMessage.objects.update(claimed_until=timezone.now() + timedelta(minutes=5))
    assert outbox_deliver_due() == 0
    OutboxMessage.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert outbox_deliver_due() == 1
    assert len(mail.outbox) == 1


def test_a_dedupe_key_writes_a_message_once():
    first = email_enqueue(to="a@example.org", subject="Hi", body="x", dedupe_key="once:1")
    second = email_enqueue(to="a@example.org", subject="Hi", body="x", dedupe_key="once:1")
    assert first.pk == second.pk and OutboxMessage.objects.count() == 1


def test_a_newline_in_a_name_cannot_break_the_headers(
    free_service, django_capture_on_commit_callbacks
):
    profile, service = free_service
    service.name = "Deep rest\r\nBcc: everyone@example.org"
    service.save(update_fields=["name"])
    with django_capture_on_commit_callbacks(execute=True):
        response = book(client_for(make_user()), service, profile)
    assert response.status_code == 201
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        headers = message.message()
        assert headers["Subject"].startswith("Booking confirmed: Deep rest Bcc: everyone@")
        assert headers.get_all("Bcc") is None and message.bcc == []
    assert header_safe("a\n\tb\x00c") == "a b c"
