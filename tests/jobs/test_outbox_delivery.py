"""E-mail through a real consumer: requests never wait on the mail server, and a mail server
that is down, hanging, or a worker killed mid-send delays a message but never loses it or
sends it twice. Each test runs on SQLite and on Redis job storage (`job_storage`)."""

from __future__ import annotations

import time

from django.utils import timezone

from accounts.models import Role
from outbox.models import MessageStatus, OutboxMessage
from tests.bookings.conftest import free_start, iso
from tests.factories import client_for, make_practitioner, make_user
from tests.jobs.conftest import wait_until

# The request may not wait for the mail server: a booking or cancel answers in well under
# the SMTP timeout the consumer is given (EMAIL_TIMEOUT, 10 s by default).
FAST_SECONDS = 2.0
EMAIL_TIMEOUT = 10


def free_session():
    """A client, their API client, and a free 60-minute session they can book."""
    practitioner, profile, service = make_practitioner(price_amount=0, min_notice_minutes=0)
    client = make_user(role=Role.CLIENT)
    return client, client_for(client), practitioner, profile, service


def book(api, profile, service):
    started = time.monotonic()
    response = api.post(
        "/api/v1/bookings/",
        {"service": str(service.pk), "start": iso(free_start(profile, service))},
        format="json",
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 201, response.content
    assert response.data["status"] == "confirmed"
    return response.data["id"], elapsed


def cancel(api, booking_id):
    started = time.monotonic()
    response = api.post(f"/api/v1/bookings/{booking_id}/cancel/")
    elapsed = time.monotonic() - started
    assert response.status_code == 200, response.content
    assert response.data["status"] == "cancelled"
    return elapsed


def emails():
    """The booking's notifications (its reminders carry a dedupe key and wait for their
    time, days ahead)."""
    return list(
        OutboxMessage.objects.filter(channel="email", dedupe_key__isnull=True).order_by(
            "created_at"
        )
    )


def all_sent():
    rows = emails()
    return bool(rows) and all(row.status == MessageStatus.SENT for row in rows)


def assert_each_row_arrived_once(sink, rows):
    """Every outbox row reached the mail server exactly once, under its own Message-ID."""
    received = sink.received
    message_ids = [mail.message_id for mail in received]
    assert len(message_ids) == len(set(message_ids)), f"duplicates: {message_ids}"
    domain = "stillpoint.local"
    assert sorted(message_ids) == sorted(f"<{row.pk}@{domain}>" for row in rows)
    by_id = {f"<{row.pk}@{domain}>": row for row in rows}
    for mail in received:
        assert list(mail.envelope_to) == [by_id[mail.message_id].recipient]


def test_smtp_down_booking_answers_fast_and_the_email_arrives_once_smtp_is_back(
    start_consumer, smtp_port, smtp_sink
):
    client, api, practitioner, profile, service = free_session()
    consumer = start_consumer(
        email_port=smtp_port,  # nothing listens there yet: connections are refused
        EMAIL_TIMEOUT=EMAIL_TIMEOUT,
        OUTBOX_RETRY_BASE_SECONDS=1,
        OUTBOX_RETRY_MAX_SECONDS=2,
    )

    _booking_id, elapsed = book(api, profile, service)
    assert elapsed < FAST_SECONDS

    # The worker tried, was refused, and keeps both e-mails for a retry.
    wait_until(
        lambda: (
            (rows := emails())
            and len(rows) == 2
            and all(row.last_error and row.status == MessageStatus.PENDING for row in rows)
        ),
        timeout=20,
        what="a refused delivery attempt",
        consumer=consumer,
    )
    assert "Refused" in emails()[0].last_error

    sink = smtp_sink(smtp_port)  # the mail server comes up
    wait_until(all_sent, timeout=20, what="the retried delivery", consumer=consumer)
    rows = emails()
    assert {row.recipient for row in rows} == {client.email, practitioner.email}
    assert all(mail.message["Subject"].startswith("Booking confirmed") for mail in sink.received)
    assert_each_row_arrived_once(sink, rows)


def test_hanging_smtp_booking_and_cancel_answer_fast_while_the_worker_waits(
    start_consumer, hanging_smtp
):
    _client, api, _practitioner, profile, service = free_session()
    consumer = start_consumer(email_port=hanging_smtp.port, EMAIL_TIMEOUT=EMAIL_TIMEOUT)

    booking_id, booked_in = book(api, profile, service)
    # The worker is now stuck on the silent server, waiting for its greeting ...
    assert hanging_smtp.wait_for_connection(timeout=20), consumer.log_text()[-3000:]
    # ... and the API does not care.
    cancelled_in = cancel(api, booking_id)

    assert booked_in < FAST_SECONDS
    assert cancelled_in < FAST_SECONDS
    rows = emails()
    assert len(rows) == 4  # confirmed and cancelled, to client and practitioner
    assert not any(row.status == MessageStatus.SENT for row in rows)


def test_worker_killed_between_claim_and_send_loses_nothing(
    start_consumer, hanging_smtp, smtp_port, smtp_sink
):
    client, api, practitioner, profile, service = free_session()
    lease = 2
    first = start_consumer(
        email_port=hanging_smtp.port,
        EMAIL_TIMEOUT=60,  # the worker would wait a minute for the greeting
        OUTBOX_CLAIM_SECONDS=lease,
    )
    book(api, profile, service)
    assert hanging_smtp.wait_for_connection(timeout=20), first.log_text()[-3000:]
    # Claimed and being sent right now: SIGKILL, no cleanup of any kind.
    assert all(row.claimed_until is not None for row in emails())
    first.kill()

    rows = emails()
    assert len(rows) == 2
    assert all(row.status == MessageStatus.PENDING and row.sent_at is None for row in rows)
    # The dead worker's lease runs out; the next consumer's sweep (it sweeps as it starts,
    # then every minute) claims the messages again.
    lease_ends = max(row.claimed_until for row in rows)
    time.sleep(max(0.0, (lease_ends - timezone.now()).total_seconds()) + 0.2)

    sink = smtp_sink(smtp_port)
    second = start_consumer(email_port=smtp_port)
    wait_until(all_sent, timeout=20, what="delivery by the next consumer", consumer=second)
    rows = emails()
    assert {row.recipient for row in rows} == {client.email, practitioner.email}
    assert_each_row_arrived_once(sink, rows)
