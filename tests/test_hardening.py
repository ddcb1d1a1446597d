"""Faults and edge inputs found in review: each must answer a clear 4xx, never a 500,
and money must never move without its record (or the record exist without the money)."""

from datetime import timedelta

import pytest
import responses
from django.db import OperationalError
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from payments import refunds
from payments.models import Payment, PaymentStatus, Refund
from tests.bookings.conftest import free_start, iso
from tests.factories import client_for, make_booking, make_payment, make_practitioner, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice():
    user, profile, service = make_practitioner(min_notice_minutes=0)
    client = make_user()
    return {"user": user, "profile": profile, "service": service, "client": client}


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [("9999-12-30", "9999-12-31"), ("0001-01-01", "0001-01-02"), ("2020-01-01", "2020-01-02")],
)
def test_slots_outside_the_bookable_horizon_are_400(api_client, practice, date_from, date_to):
    response = api_client.get(
        f"/api/v1/practitioners/{practice['profile'].pk}/slots/",
        {"service": practice["service"].pk, "from": date_from, "to": date_to},
    )
    assert response.status_code == 400
    assert response.data["code"] == "invalid"


@pytest.mark.parametrize("start", ["0001-01-01T00:00:00Z", "9999-12-31T23:30:00Z"])
def test_booking_at_the_ends_of_time_is_slot_unavailable(practice, start):
    response = client_for(practice["client"]).post(
        "/api/v1/bookings/", {"service": str(practice["service"].pk), "start": start}
    )
    assert response.status_code == 409
    assert response.data["code"] == "slot_unavailable"


@pytest.mark.parametrize("param", ["available_from", "available_to"])
def test_availability_search_outside_the_horizon_is_400(api_client, practice, param):
    response = api_client.get(
        "/api/v1/practitioners/", {"near": "52.52,13.405", param: "0001-01-01"}
    )
    assert response.status_code == 400
    assert param in response.data["fields"]


def test_huge_max_price_is_400(api_client, practice):
    response = api_client.get(
        "/api/v1/practitioners/", {"near": "52.52,13.405", "max_price": "1" + "0" * 20}
    )
    assert response.status_code == 400
    assert "max_price" in response.data["fields"]


def test_confirmed_booking_cannot_be_cancelled_once_started(practice):
    booking = make_booking(
        client=practice["client"],
        service=practice["service"],
        start=timezone.now().replace(microsecond=0) - timedelta(minutes=10),
    )
    response = client_for(practice["client"]).post(f"/api/v1/bookings/{booking.pk}/cancel/")
    assert response.status_code == 409
    assert response.data["code"] == "booking_started"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def _paid_booking(practice, *, refunded_amount=0):
    start = timezone.now().replace(microsecond=0) + timedelta(days=10)
    booking = make_booking(client=practice["client"], service=practice["service"], start=start)
    make_payment(booking=booking, status=PaymentStatus.SUCCEEDED, refunded_amount=refunded_amount)
    return booking


def test_cancel_and_refund_commit_together(practice, monkeypatch):
    booking = _paid_booking(practice)

    def payment_row_locked(**kwargs):
        # What PostgreSQL raises when another transaction holds the payment row too long.
        raise OperationalError("canceling statement due to lock timeout")

    monkeypatch.setattr(refunds, "refund_reserve", payment_row_locked)
    response = client_for(practice["client"]).post(f"/api/v1/bookings/{booking.pk}/cancel/")
    assert response.status_code == 503
    assert response.data["code"] == "lock_timeout"
    booking.refresh_from_db()
    # Not cancelled without its refund: the client can simply try again.
    assert booking.status == BookingStatus.CONFIRMED
    assert not Refund.objects.exists()


def test_cancel_refund_is_capped_by_what_is_still_refundable(practice, stripe_local_api):
    # 60.00 of 90.00 was already refunded in Stripe's dashboard (synced by webhook).
    booking = _paid_booking(practice, refunded_amount=6000)
    intent = stripe_local_api.v1.payment_intents.create(
        params={
            "amount": booking.amount,
            "currency": booking.currency.lower(),  # Stripe takes lower case
            "payment_method": "pm_card_visa",
        }
    )
    stripe_local_api.v1.payment_intents.confirm(intent.id)
    Payment.objects.filter(booking=booking).update(payment_intent_id=intent.id)
    response = client_for(practice["user"]).post(f"/api/v1/bookings/{booking.pk}/cancel/")
    assert response.status_code == 200, response.data
    assert response.data["status"] == "cancelled"
    refund = Refund.objects.get(payment__booking=booking)
    assert refund.amount == 3000
    assert refund.status == "succeeded"
    payment = Payment.objects.get(booking=booking)
    assert payment.refunded_amount == payment.amount
    assert stripe_local_api.v1.refunds.retrieve(refund.stripe_refund_id).amount == 3000


def test_retry_with_the_same_idempotency_key_after_an_outage_books_afresh(
    practice, settings, stripe_local_api
):
    api = client_for(practice["client"])
    start = free_start(practice["profile"], practice["service"])
    body = {"service": str(practice["service"].pk), "start": iso(start)}
    real_stripe = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens: an outage
    down = api.post("/api/v1/bookings/", body, HTTP_IDEMPOTENCY_KEY="retry-me")
    assert down.status_code == 503
    assert down.data["code"] == "payment_provider_unavailable"
    settings.STRIPE_API_BASE = real_stripe
    retry = api.post("/api/v1/bookings/", body, HTTP_IDEMPOTENCY_KEY="retry-me")
    assert retry.status_code == 201, retry.data
    assert retry.data["status"] == "pending_payment"
    assert retry.data["payment"]["client_secret"]
    assert Booking.objects.filter(status=BookingStatus.EXPIRED).count() == 1


def test_stripe_refusing_a_payment_is_409_not_503(practice, settings):
    settings.STRIPE_API_BASE = ""
    settings.STRIPE_SECRET_KEY = "sk_test_refusal"
    start = free_start(practice["profile"], practice["service"])
    with responses.RequestsMock() as stripe_api:
        stripe_api.post("https://api.stripe.com/v1/customers", json={"id": "cus_1"})
        stripe_api.post(
            "https://api.stripe.com/v1/payment_intents",
            status=400,
            json={
                "error": {
                    "type": "invalid_request_error",
                    "code": "amount_too_small",
                    "message": "Amount must be at least €0.50 eur",
                }
            },
        )
        response = client_for(practice["client"]).post(
            "/api/v1/bookings/", {"service": str(practice["service"].pk), "start": iso(start)}
        )
    assert response.status_code == 409
    assert response.data["code"] == "payment_not_possible"
    assert Booking.objects.get().status == BookingStatus.EXPIRED
