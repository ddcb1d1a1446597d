"""Paying from a browser against localstripe (README, "A single-page app on this machine"):
the requests localstripe's Stripe.js stand-in makes, from an SPA's origin, with only what
the booking response gives the client (publishable key and client_secret)."""

import json

import pytest
import requests

from tests.bookings.conftest import free_start, iso
from tests.factories import client_for, make_practitioner, make_user
from tests.payments.helpers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

SPA_ORIGIN = "http://localhost:5173"


@pytest.fixture
def booking(stripe_local, settings):
    """A booking made through the API, as the SPA's client sees it."""
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_stillpoint"
    _, profile, service = make_practitioner(min_notice_minutes=0)
    api = client_for(make_user())
    response = api.post(
        "/api/v1/bookings/",
        {"service": str(service.pk), "start": iso(free_start(profile, service))},
    )
    assert response.status_code == 201, response.json()
    return api, response.json()


def confirm_card_payment(localstripe, payment, *, success: bool, client_secret=None):
    """What the stand-in's `stripe.confirmCardPayment(client_secret)` posts when the dialog
    is answered "Complete authentication" (success) or "Fail authentication"."""
    secret = client_secret or payment["client_secret"]
    intent_id = payment["client_secret"].split("_secret_")[0]
    return requests.post(
        f"{localstripe}/v1/payment_intents/{intent_id}/_authenticate",
        params={"success": "true" if success else "false"},
        # fetch() without a content type, as the stand-in sends it.
        data=json.dumps({"key": payment["publishable_key"], "client_secret": secret}),
        headers={"Origin": SPA_ORIGIN, "Content-Type": "text/plain;charset=UTF-8"},
        timeout=5,
    )


def status_of(api, booking_id):
    return api.get(f"/api/v1/bookings/{booking_id}/").json()["status"]


def test_the_stripe_js_stand_in_is_served_to_the_spa(localstripe):
    script = requests.get(f"{localstripe}/js.stripe.com/v3/", timeout=5)
    assert script.status_code == 200
    assert "javascript" in script.headers["Content-Type"]
    assert "confirmCardPayment" in script.text


def test_completing_the_dialog_pays_and_the_webhook_confirms(booking, localstripe):
    api, body = booking
    answer = confirm_card_payment(localstripe, body["payment"], success=True)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Access-Control-Allow-Origin"] == SPA_ORIGIN
    assert answer.json()["status"] == "succeeded"
    wait_for(lambda: status_of(api, body["id"]) == "confirmed")


def test_failing_the_dialog_leaves_the_booking_payable(booking, localstripe):
    api, body = booking
    failed = confirm_card_payment(localstripe, body["payment"], success=False)
    assert failed.status_code == 200, failed.text
    assert failed.json()["status"] == "requires_payment_method"
    assert failed.json()["last_payment_error"]["code"] == "payment_intent_authentication_failure"
    assert status_of(api, body["id"]) == "pending_payment"

    again = confirm_card_payment(localstripe, body["payment"], success=True)
    assert again.json()["status"] == "succeeded"
    wait_for(lambda: status_of(api, body["id"]) == "confirmed")


def test_a_wrong_client_secret_pays_nothing(booking, localstripe):
    api, body = booking
    payment = body["payment"]
    forged = confirm_card_payment(
        localstripe, payment, success=True, client_secret=payment["client_secret"] + "x"
    )
    assert forged.status_code == 401
    assert status_of(api, body["id"]) == "pending_payment"
