"""The webhook endpoint: signatures, store-once, each event type, checks against our ledger."""

import json
import logging
import time
from unittest import mock

import pytest
from django.db.utils import OperationalError

from bookings.models import BookingStatus
from payments.models import ConnectAccount, Payment, PaymentStatus, Refund, WebhookEvent
from tests.factories import client_for, make_booking, make_payment, make_practitioner, make_user
from tests.payments.helpers import WEBHOOK_PATH, make_event, post_event, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(webhook_secret):
    """A pending booking with its payment, as payment_start_for_booking leaves them."""
    _, _, service = make_practitioner()
    booking = make_booking(
        client=make_user(), service=service, status=BookingStatus.PENDING_PAYMENT
    )
    payment = make_payment(booking=booking)
    return booking, payment


def _intent(payment, **overrides):
    return {
        "id": payment.payment_intent_id,
        "object": "payment_intent",
        "amount": payment.amount,
        "currency": payment.currency.lower(),  # Stripe sends lower case
        "metadata": {"booking_id": str(payment.booking_id)},
        "status": "succeeded",
        **overrides,
    }


def test_same_event_delivered_twice_is_processed_once(api_client, pending):
    booking, payment = pending
    event = make_event("payment_intent.succeeded", _intent(payment), event_id="evt_twice")

    first = post_event(api_client, event)
    second = post_event(api_client, event)

    assert first.status_code == 200 and first.json()["outcome"] == "confirmed booking"
    assert second.status_code == 200 and second.json()["outcome"] == "duplicate"
    assert WebhookEvent.objects.filter(event_id="evt_twice").count() == 1
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param(lambda body: sign(body, secret="whsec_forged"), id="forged"),
        pytest.param(lambda body: sign(body, timestamp=int(time.time()) - 3600), id="stale"),
        pytest.param(lambda body: "", id="missing"),
        pytest.param(lambda body: "t=1,v1=nothex", id="garbage"),
    ],
)
def test_bad_signature_is_400_and_changes_nothing(api_client, pending, signature):
    booking, payment = pending
    body = json.dumps(make_event("payment_intent.succeeded", _intent(payment))).encode()

    response = api_client.post(
        WEBHOOK_PATH,
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature(body),
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    assert not WebhookEvent.objects.exists()
    booking.refresh_from_db()
    payment.refresh_from_db()
    assert booking.status == BookingStatus.PENDING_PAYMENT
    assert payment.status == PaymentStatus.PENDING


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"not json", "json_invalid"),  # the strict JSON reader's code, as for any body
        (b"[]", "invalid_event"),
        (b'"text"', "invalid_event"),
        (b'{"id": "evt_1"}', "invalid_event"),
        (b'{"id": "evt_1", "type": "x", "data": 1}', "invalid_event"),
    ],
)
def test_signed_body_that_is_not_an_event_is_400(api_client, webhook_secret, body, code):
    response = api_client.post(
        WEBHOOK_PATH, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(body)
    )
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not WebhookEvent.objects.exists()


def test_malformed_fields_inside_a_signed_event_never_500(api_client, pending):
    booking, payment = pending
    intent = _intent(payment, metadata=["not", "a", "dict"], amount="9000")
    response = post_event(api_client, make_event("payment_intent.succeeded", intent))
    assert response.status_code == 200
    assert response.json()["outcome"].startswith("ignored:")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PENDING_PAYMENT


@pytest.mark.parametrize(
    ("override", "outcome"),
    [
        ({"amount": 1}, "ignored: amount mismatch"),
        ({"currency": "usd"}, "ignored: currency mismatch"),
        ({"metadata": {"booking_id": "someone-else"}}, "ignored: booking mismatch"),
    ],
)
def test_mismatched_intent_is_ignored_and_logged(api_client, pending, caplog, override, outcome):
    booking, payment = pending
    caplog.set_level(logging.WARNING, logger="payments")

    response = post_event(
        api_client, make_event("payment_intent.succeeded", _intent(payment, **override))
    )

    assert response.status_code == 200 and response.json()["outcome"] == outcome
    assert outcome.split(": ")[1] in caplog.text
    booking.refresh_from_db()
    payment.refresh_from_db()
    assert booking.status == BookingStatus.PENDING_PAYMENT
    assert payment.status == PaymentStatus.PENDING


def test_unknown_intent_is_ignored(api_client, webhook_secret):
    event = make_event(
        "payment_intent.succeeded",
        {"id": "pi_unknown", "amount": 1, "currency": "eur", "metadata": {}},
    )
    response = post_event(api_client, event)
    assert response.status_code == 200
    assert response.json()["outcome"] == "ignored: unknown payment intent"


def test_payment_failed_records_failure_and_keeps_booking_pending(api_client, pending):
    booking, payment = pending
    error = {"code": "card_declined", "message": "Your card was declined."}
    intent = _intent(payment, status="requires_payment_method", last_payment_error=error)

    response = post_event(api_client, make_event("payment_intent.payment_failed", intent))

    assert response.json()["outcome"] == "recorded failure"
    payment.refresh_from_db()
    booking.refresh_from_db()
    assert payment.failure_count == 1
    assert payment.last_failure_code == "card_declined"
    assert payment.last_failure_message == "Your card was declined."
    assert booking.status == BookingStatus.PENDING_PAYMENT


def test_payment_intent_canceled_marks_a_pending_payment(api_client, pending):
    _, payment = pending
    intent = _intent(payment, status="canceled")

    response = post_event(api_client, make_event("payment_intent.canceled", intent))

    assert response.json()["outcome"] == "marked canceled"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELED


def test_charge_refunded_syncs_refunds_made_outside(api_client, pending):
    _, payment = pending
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.SUCCEEDED)
    charge = {
        "id": "ch_test",
        "object": "charge",
        "amount": payment.amount,
        "currency": payment.currency.lower(),  # Stripe sends lower case
        "amount_refunded": 3000,
        "payment_intent": payment.payment_intent_id,
    }

    response = post_event(api_client, make_event("charge.refunded", charge))

    assert response.json()["outcome"] == "synced refunded amount 3000"
    payment.refresh_from_db()
    assert payment.refunded_amount == 3000
    external = Refund.objects.get(payment=payment)
    assert external.reason == "external" and external.amount == 3000


def test_account_updated_keeps_connect_status_current(api_client, webhook_secret):
    user, profile, _ = make_practitioner()
    ConnectAccount.objects.create(practitioner=profile, stripe_account_id="acct_test123")
    account = {
        "id": "acct_test123",
        "object": "account",
        "charges_enabled": True,
        "payouts_enabled": True,
        "details_submitted": True,
    }

    response = post_event(api_client, make_event("account.updated", account))

    assert response.json()["outcome"] == "updated account status"
    status = client_for(user).get("/api/v1/me/payouts/").json()
    assert status == {
        "stripe_account_id": "acct_test123",
        "charges_enabled": True,
        "payouts_enabled": True,
        "details_submitted": True,
    }


def test_charge_dispute_created_marks_payment_disputed(api_client, pending):
    _, payment = pending
    dispute = {
        "id": "dp_test",
        "object": "dispute",
        "amount": payment.amount,
        "charge": "ch_test",
        "payment_intent": payment.payment_intent_id,
        "reason": "fraudulent",
    }

    response = post_event(api_client, make_event("charge.dispute.created", dispute))

    assert response.json()["outcome"] == "marked disputed"
    payment.refresh_from_db()
    assert payment.disputed and payment.dispute_id == "dp_test"


def test_unknown_event_type_is_acknowledged(api_client, webhook_secret):
    response = post_event(api_client, make_event("customer.created", {"id": "cus_x"}))
    assert response.status_code == 200
    assert response.json()["outcome"] == "ignored: unhandled type"
    assert WebhookEvent.objects.get().processed_at is not None


def test_lock_timeout_answers_503_so_stripe_retries(api_client, pending):
    booking, payment = pending
    event = make_event("payment_intent.succeeded", _intent(payment), event_id="evt_locked")
    timeout = OperationalError("canceling statement due to lock timeout")

    with mock.patch("payments.webhooks._lock_booking_and_payment", side_effect=timeout):
        response = post_event(api_client, event)

    assert response.status_code == 503
    assert not WebhookEvent.objects.filter(event_id="evt_locked").exists()
    # Stripe's retry then goes through.
    assert post_event(api_client, event).json()["outcome"] == "confirmed booking"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
