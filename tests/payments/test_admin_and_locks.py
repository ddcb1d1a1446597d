"""The ledger in Django admin (read-only), and a real lock timeout on PostgreSQL."""

import threading

import pytest
from django.db import connection, connections, transaction

from bookings.models import BookingStatus
from directory.models import PractitionerProfile
from payments.models import Refund, WebhookEvent
from tests.factories import make_booking, make_payment, make_practitioner, make_user
from tests.payments.helpers import make_event, post_event


def _payment():
    _, _, service = make_practitioner()
    booking = make_booking(
        client=make_user(), service=service, status=BookingStatus.PENDING_PAYMENT
    )
    return make_payment(booking=booking, disputed=True)


@pytest.mark.django_db
def test_admin_shows_payments_refunds_and_events_read_only(admin_client):
    payment = _payment()
    Refund.objects.create(payment=payment, amount=100, reason="cancellation")
    WebhookEvent.objects.create(event_id="evt_admin", type="charge.dispute.created", payload={})

    for model in ("payment", "refund", "webhookevent", "stripecustomer"):
        assert admin_client.get(f"/admin/payments/{model}/").status_code == 200
        assert admin_client.get(f"/admin/payments/{model}/add/").status_code == 403
    page = admin_client.get(f"/admin/payments/payment/{payment.pk}/change/")
    assert page.status_code == 200
    assert payment.payment_intent_id in page.content.decode()
    listing = admin_client.get("/admin/payments/payment/?disputed__exact=1").content.decode()
    assert payment.payment_intent_id in listing


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_lock_timeout_on_postgres_is_503_and_event_not_recorded(api_client, webhook_secret):
    payment = _payment()
    intent = {
        "id": payment.payment_intent_id,
        "amount": payment.amount,
        "currency": payment.currency.lower(),  # Stripe sends lower case
        "metadata": {"booking_id": str(payment.booking_id)},
    }
    locked, release = threading.Event(), threading.Event()

    def hold_practitioner_lock():
        try:
            with transaction.atomic():
                PractitionerProfile.objects.select_for_update().get(
                    pk=payment.booking.practitioner_id
                )
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_practitioner_lock)
    holder.start()
    try:
        assert locked.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
        response = post_event(api_client, make_event("payment_intent.succeeded", intent))
    finally:
        release.set()
        holder.join()

    assert response.status_code == 503
    assert response.json()["code"] == "lock_timeout"
    assert not WebhookEvent.objects.exists()
    payment.booking.refresh_from_db()
    assert payment.booking.status == BookingStatus.PENDING_PAYMENT
