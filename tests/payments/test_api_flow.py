"""The pay-and-refund flow through the HTTP API, against localstripe and its signed webhooks."""

import threading
from datetime import timedelta

import pytest
import requests
import stripe
from django.core.management import call_command
from django.utils import timezone
from rest_framework_simplejwt.tokens import RefreshToken

from bookings.models import Booking, BookingStatus
from payments.models import Payment, PaymentStatus, Refund, RefundStatus, WebhookEvent
from tests.bookings.conftest import free_start, iso
from tests.factories import client_for, make_booking, make_practitioner, make_user
from tests.payments.helpers import SECRET_KEY, pay, post_event, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v1/bookings/"


@pytest.fixture
def setup(stripe_local):
    user, profile, service = make_practitioner(min_notice_minutes=0)
    client_user = make_user()
    return {
        "stripe": stripe_local,
        "profile": profile,
        "service": service,
        "practitioner_api": client_for(user),
        "client": client_user,
        "client_api": client_for(client_user),
        "start": free_start(profile, service),
    }


def _book(api, service, start, **headers):
    return api.post(URL, {"service": str(service.pk), "start": iso(start)}, **headers)


def _status_via_api(api, booking_id):
    return api.get(f"{URL}{booking_id}/").json()["status"]


def _lapse_hold(booking_id):
    Booking.objects.filter(pk=booking_id).update(
        hold_expires_at=timezone.now() - timedelta(seconds=1)
    )


def test_book_pay_webhook_confirms(setup, settings, localstripe):
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_stillpoint"
    response = _book(setup["client_api"], setup["service"], setup["start"])

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "pending_payment"
    payment = body["payment"]
    assert payment["provider"] == "stripe"
    assert payment["publishable_key"] == "pk_test_stillpoint"
    assert payment["client_secret"].startswith(payment["payment_intent_id"] + "_secret_")
    intent = setup["stripe"].v1.payment_intents.retrieve(payment["payment_intent_id"])
    assert (intent.amount, intent.currency) == (9000, "eur")
    assert intent.metadata["booking_id"] == body["id"]

    # The client confirms with the SDK; only the signed webhook confirms the booking.
    pay(setup["stripe"], payment["payment_intent_id"])
    wait_for(lambda: _status_via_api(setup["client_api"], body["id"]) == "confirmed")

    # Stripe redelivers the very event localstripe sent: processed once only.
    events = requests.get(
        f"{localstripe}/v1/events",
        params={"type": "payment_intent.succeeded"},
        headers={"Authorization": f"Bearer {SECRET_KEY}"},
        timeout=5,
    ).json()["data"]
    (event,) = [e for e in events if e["data"]["object"]["id"] == payment["payment_intent_id"]]
    redelivered = post_event(setup["client_api"], event)
    assert redelivered.json() == {"received": True, "outcome": "duplicate"}
    assert WebhookEvent.objects.filter(event_id=event["id"]).count() == 1

    # The practitioner sees the booking but not the client's payment secret.
    seen = setup["practitioner_api"].get(f"{URL}{body['id']}/").json()
    assert seen["status"] == "confirmed" and seen["payment"] is None


def test_resumed_payment_of_an_orphaned_hold_pays_and_confirms(setup):
    # What a server that died between the hold's commit and the PaymentIntent leaves.
    booking = make_booking(
        client=setup["client"],
        service=setup["service"],
        start=setup["start"],
        status=BookingStatus.PENDING_PAYMENT,
    )

    resumed = setup["client_api"].post(f"{URL}{booking.pk}/pay/")

    assert resumed.status_code == 200, resumed.json()
    intent_id = resumed.json()["payment"]["payment_intent_id"]
    pay(setup["stripe"], intent_id)
    wait_for(lambda: _status_via_api(setup["client_api"], str(booking.pk)) == "confirmed")
    assert Payment.objects.get(booking=booking).status == PaymentStatus.SUCCEEDED
    paid_again = setup["client_api"].post(f"{URL}{booking.pk}/pay/")
    assert paid_again.status_code == 409
    assert paid_again.json()["code"] == "booking_not_pending_payment"


def test_idempotent_replay_returns_the_same_payment(setup):
    first = _book(setup["client_api"], setup["service"], setup["start"], HTTP_IDEMPOTENCY_KEY="k1")
    again = _book(setup["client_api"], setup["service"], setup["start"], HTTP_IDEMPOTENCY_KEY="k1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["payment"] == again.json()["payment"]
    assert Payment.objects.count() == 1


def test_declined_card_stays_pending_then_expires_and_intent_is_cancelled(setup):
    body = _book(setup["client_api"], setup["service"], setup["start"]).json()
    intent_id = body["payment"]["payment_intent_id"]

    with pytest.raises(stripe.CardError):
        pay(setup["stripe"], intent_id, "pm_card_chargeCustomerFail")
    wait_for(lambda: Payment.objects.get(payment_intent_id=intent_id).failure_count == 1)
    assert _status_via_api(setup["client_api"], body["id"]) == "pending_payment"

    _lapse_hold(body["id"])
    call_command("expire_holds")

    assert _status_via_api(setup["client_api"], body["id"]) == "expired"
    assert setup["stripe"].v1.payment_intents.retrieve(intent_id).status == "canceled"
    assert Payment.objects.get(payment_intent_id=intent_id).status == PaymentStatus.CANCELED


def _book_and_pay(setup):
    body = _book(setup["client_api"], setup["service"], setup["start"]).json()
    pay(setup["stripe"], body["payment"]["payment_intent_id"])
    wait_for(lambda: _status_via_api(setup["client_api"], body["id"]) == "confirmed")
    return body


def _refunds_in_localstripe(stripe_client, intent_id):
    return stripe_client.v1.refunds.list(params={"payment_intent": intent_id}).data


def test_cancel_in_time_refunds_in_full(setup):
    body = _book_and_pay(setup)
    intent_id = body["payment"]["payment_intent_id"]

    response = setup["client_api"].post(f"{URL}{body['id']}/cancel/")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    # Sent to Stripe right after the cancellation committed, so the answer already says so.
    assert response.json()["refund"] == {
        "amount": {"amount": 9000, "currency": "EUR", "display": "€90.00"},
        "status": "succeeded",
    }
    (remote,) = _refunds_in_localstripe(setup["stripe"], intent_id)
    assert remote.amount == 9000
    refund = Refund.objects.get(payment__payment_intent_id=intent_id)
    assert (refund.stripe_refund_id, refund.status) == (remote.id, RefundStatus.SUCCEEDED)
    assert Payment.objects.get(payment_intent_id=intent_id).refunded_amount == 9000


def test_late_cancel_refunds_the_policy_share(setup):
    setup["profile"].cancellation_window_hours = 720
    setup["profile"].late_cancellation_refund_percent = 50
    setup["profile"].save()
    body = _book_and_pay(setup)
    intent_id = body["payment"]["payment_intent_id"]

    response = setup["client_api"].post(f"{URL}{body['id']}/cancel/")

    assert response.json()["refund"] == {
        "amount": {"amount": 4500, "currency": "EUR", "display": "€45.00"},
        "status": "succeeded",
    }
    assert [r.amount for r in _refunds_in_localstripe(setup["stripe"], intent_id)] == [4500]
    assert Payment.objects.get(payment_intent_id=intent_id).refunded_amount == 4500


def test_cancel_of_unpaid_booking_cancels_the_intent(setup):
    body = _book(setup["client_api"], setup["service"], setup["start"]).json()
    intent_id = body["payment"]["payment_intent_id"]

    response = setup["client_api"].post(f"{URL}{body['id']}/cancel/")

    assert response.json()["refund"] is None  # nothing was paid
    assert setup["stripe"].v1.payment_intents.retrieve(intent_id).status == "canceled"
    assert not Refund.objects.exists()


def test_late_success_after_expiry_confirms_when_slot_still_free(setup):
    body = _book(setup["client_api"], setup["service"], setup["start"]).json()
    _lapse_hold(body["id"])  # the client paid just after the hold ran out

    pay(setup["stripe"], body["payment"]["payment_intent_id"])

    wait_for(lambda: _status_via_api(setup["client_api"], body["id"]) == "confirmed")
    assert not Refund.objects.exists()


def test_late_success_after_expiry_refunds_in_full_when_slot_taken(setup):
    first = _book(setup["client_api"], setup["service"], setup["start"]).json()
    _lapse_hold(first["id"])
    other_api = client_for(make_user())
    second = _book(other_api, setup["service"], setup["start"])
    assert second.status_code == 201  # the lapsed hold no longer counts
    intent_id = first["payment"]["payment_intent_id"]

    pay(setup["stripe"], intent_id)

    wait_for(lambda: Refund.objects.filter(payment__payment_intent_id=intent_id).exists())
    assert _status_via_api(setup["client_api"], first["id"]) == "expired"
    assert _status_via_api(other_api, second.json()["id"]) == "pending_payment"
    refund = Refund.objects.get(payment__payment_intent_id=intent_id)
    assert (refund.amount, refund.reason, refund.status) == (9000, "slot_taken", "succeeded")
    assert [r.amount for r in _refunds_in_localstripe(setup["stripe"], intent_id)] == [9000]


def test_unreachable_stripe_is_503_and_releases_the_hold(setup, settings, localstripe):
    intents_before = len(setup["stripe"].v1.payment_intents.list(params={"limit": 100}).data)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens

    response = _book(setup["client_api"], setup["service"], setup["start"])

    assert response.status_code == 503
    assert response.json()["code"] == "payment_provider_unavailable"
    assert Booking.objects.get().status == BookingStatus.EXPIRED
    settings.STRIPE_API_BASE = localstripe
    assert len(setup["stripe"].v1.payment_intents.list(params={"limit": 100}).data) == (
        intents_before
    )
    # The slot is free again at once.
    assert _book(client_for(make_user()), setup["service"], setup["start"]).status_code == 201


def test_connect_practitioner_without_account_is_409_without_a_hold(setup, settings):
    settings.STRIPE_CONNECT = True

    response = _book(setup["client_api"], setup["service"], setup["start"])

    assert response.status_code == 409
    assert response.json()["code"] == "practitioner_cannot_accept_payments"
    assert not Booking.objects.exists()


def test_concurrent_retries_leave_one_payable_intent(setup, live_server):
    """Retries racing with one Idempotency-Key: one payment; any extra intent is cancelled.

    Stripe would hand every retry the same intent (same idempotency key); localstripe
    ignores keys and makes one per call, which is exactly the orphan case to rule out.
    """
    token = f"Bearer {RefreshToken.for_user(setup['client']).access_token}"
    body = {"service": str(setup["service"].pk), "start": iso(setup["start"])}
    barrier = threading.Barrier(5)
    statuses = []

    def attempt():
        barrier.wait()
        response = requests.post(
            f"{live_server.url}{URL}",
            json=body,
            headers={"Authorization": token, "Idempotency-Key": "race-1"},
            timeout=60,
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=attempt) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(statuses) == [200, 200, 200, 200, 201]
    payment = Payment.objects.get()
    assert payment.booking.status == BookingStatus.PENDING_PAYMENT
    intents = [
        intent
        for intent in setup["stripe"].v1.payment_intents.list(params={"limit": 100}).data
        if intent.metadata.get("booking_id") == str(payment.booking_id)
    ]
    payable = [i.id for i in intents if i.status != "canceled"]
    assert payable == [payment.payment_intent_id]
