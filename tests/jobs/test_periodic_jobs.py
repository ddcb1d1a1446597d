"""Periodic work runs under the consumer, with no cron and no command: the engine schedules
it every minute and also runs the every-minute jobs as a consumer starts, which is what
these tests watch (rather than waiting for the next minute)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from bookings.models import BookingStatus
from bookings.tasks import expire_lapsed_holds, purge_idempotency_keys
from outbox.tasks import outbox_sweep
from tests.factories import client_for, make_booking, make_practitioner, make_user
from tests.jobs.conftest import wait_until
from tests.ports import closed_port


def test_every_minute_jobs_are_scheduled_every_minute():
    from huey.contrib.djhuey import HUEY

    start = datetime(2026, 3, 1, 10, 0)
    minutes = [start + timedelta(minutes=n) for n in range(120)]
    # What the consumer's scheduler enqueues at each minute.
    runs = [{type(task) for task in HUEY.read_periodic(minute)} for minute in minutes]
    for task in (expire_lapsed_holds, outbox_sweep):
        assert all(task.task_class in due for due in runs)
    # The key purge is hourly.
    assert sum(purge_idempotency_keys.task_class in due for due in runs) == 2


def _stored_status(booking) -> str:
    from bookings.models import Booking

    return Booking.objects.values_list("status", flat=True).get(pk=booking.pk)


def test_a_lapsed_hold_expires_under_the_consumer(start_consumer):
    from huey.contrib.djhuey import HUEY

    _practitioner, _profile, service = make_practitioner(min_notice_minutes=0)
    client = make_user()
    booking = make_booking(
        client=client,
        service=service,
        status=BookingStatus.PENDING_PAYMENT,
        hold=timezone.now() - timedelta(minutes=1),
    )
    api = client_for(client)
    # The API reads a lapsed hold as expired at once; the row waits for the job.
    assert api.get(f"/api/v1/bookings/{booking.pk}/").data["status"] == "expired"
    assert _stored_status(booking) == BookingStatus.PENDING_PAYMENT
    assert HUEY.pending_count() == 0  # nothing enqueued by hand

    consumer = start_consumer(email_port=closed_port())
    wait_until(
        lambda: _stored_status(booking) == BookingStatus.EXPIRED,
        timeout=20,
        what="the periodic hold expiry",
        consumer=consumer,
    )
    assert api.get(f"/api/v1/bookings/{booking.pk}/").data["status"] == "expired"
