"""Stripe Connect, asserted at the HTTP boundary: localstripe has no Connect."""

from urllib.parse import parse_qsl

import pytest
import responses
from rest_framework.test import APIClient

from bookings.models import Booking, BookingStatus
from bookings.services import booking_payment_start
from payments import intents, refunds
from payments.errors import PractitionerCannotAcceptPayments
from payments.models import ConnectAccount, Payment, PaymentStatus, Refund, StripeCustomer
from tests.bookings.conftest import free_start, iso
from tests.factories import client_for, make_booking, make_payment, make_practitioner, make_user
from tests.payments.helpers import WEBHOOK_SECRET, make_event, post_event

pytestmark = pytest.mark.django_db

API = "https://api.stripe.com"


@pytest.fixture
def connect(settings):
    settings.STRIPE_API_BASE = ""
    settings.STRIPE_SECRET_KEY = "sk_test_connect"
    settings.STRIPE_CONNECT = True
    settings.PLATFORM_FEE_PERCENT = 12.5
    settings.STRIPE_CONNECT_REFRESH_URL = "https://app.example.org/payouts/refresh"
    settings.STRIPE_CONNECT_RETURN_URL = "https://app.example.org/payouts/return"
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mocked:
        yield mocked


def _form(call) -> dict:
    return dict(parse_qsl(call.request.body))


@pytest.mark.parametrize(
    ("percent", "amount", "fee"),
    [(10, 9000, 900), (12.5, 9999, 1250), (10, 1, 1), (0, 9000, 0), (100, 5000, 5000)],
)
def test_platform_fee_rounds_up_and_never_exceeds_amount(settings, percent, amount, fee):
    settings.PLATFORM_FEE_PERCENT = percent
    assert intents.platform_fee_for(amount) == fee


@pytest.fixture
def connected(connect):
    """A practitioner whose Express account can take charges, and a client to book."""
    user, profile, service = make_practitioner(price_amount=9999, min_notice_minutes=0)
    account = ConnectAccount.objects.create(
        practitioner=profile, stripe_account_id="acct_mira", charges_enabled=True
    )
    client_user = make_user()
    return {
        "profile": profile,
        "account": account,
        "service": service,
        "client": client_user,
        "client_api": client_for(client_user),
        "practitioner_api": client_for(user),
    }


def _mock_booking_calls(connect):
    connect.post(f"{API}/v1/customers", json={"id": "cus_1", "object": "customer"})
    connect.post(
        f"{API}/v1/payment_intents",
        json={
            "id": "pi_1",
            "object": "payment_intent",
            "client_secret": "pi_1_secret_x",
            "amount": 9999,
            "currency": "eur",
            "application_fee_amount": 1250,
            "transfer_data": {"destination": "acct_mira"},
        },
    )


def _book(connected):
    start = free_start(connected["profile"], connected["service"])
    return connected["client_api"].post(
        "/api/v1/bookings/", {"service": str(connected["service"].pk), "start": iso(start)}
    )


def test_booking_is_a_destination_charge_with_application_fee(connect, connected):
    _mock_booking_calls(connect)

    response = _book(connected)

    assert response.status_code == 201
    body = response.json()
    assert body["payment"]["payment_intent_id"] == "pi_1"
    assert body["payment"]["client_secret"] == "pi_1_secret_x"
    client_user = connected["client"]
    customer_call, intent_call = connect.calls
    assert _form(customer_call) == {
        "email": client_user.email,
        "name": client_user.name,
        "metadata[user_id]": str(client_user.pk),
    }
    assert customer_call.request.headers["Idempotency-Key"] == f"customer-{client_user.pk}"
    assert _form(intent_call) == {
        "amount": "9999",
        "currency": "eur",
        "customer": "cus_1",
        "metadata[booking_id]": body["id"],
        "application_fee_amount": "1250",  # 12.5 % of 9999 = 1249.875, rounded up
        "transfer_data[destination]": "acct_mira",
    }
    assert intent_call.request.headers["Idempotency-Key"] == f"booking-{body['id']}-payment-intent"
    assert intent_call.request.headers["Authorization"] == "Bearer sk_test_connect"
    payment = Payment.objects.get(payment_intent_id="pi_1")
    assert (payment.application_fee_amount, payment.destination_account_id) == (1250, "acct_mira")
    assert StripeCustomer.objects.get(user=client_user).stripe_customer_id == "cus_1"


def test_cancel_of_destination_charge_reverses_transfer_and_fee(connect, connected, settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    _mock_booking_calls(connect)
    body = _book(connected).json()
    intent = {
        "id": "pi_1",
        "object": "payment_intent",
        "amount": 9999,
        "currency": "eur",
        "metadata": {"booking_id": body["id"]},
    }
    confirmed = post_event(APIClient(), make_event("payment_intent.succeeded", intent))
    assert confirmed.json()["outcome"] == "confirmed booking"
    connect.post(
        f"{API}/v1/refunds",
        json={"id": "re_1", "object": "refund", "amount": 9999, "status": "succeeded"},
    )

    # The practitioner cancels: a full refund by policy.
    response = connected["practitioner_api"].post(f"/api/v1/bookings/{body['id']}/cancel/")

    assert response.json()["refund"]["amount"]["amount"] == 9999
    refund_call = connect.calls[-1]
    refund = Refund.objects.get()
    assert _form(refund_call) == {
        "payment_intent": "pi_1",
        "amount": "9999",
        "reverse_transfer": "true",
        "refund_application_fee": "true",
        "metadata[booking_id]": body["id"],
        "metadata[refund_id]": str(refund.pk),
    }
    assert refund_call.request.headers["Idempotency-Key"] == f"refund-{refund.pk}"
    assert (refund.stripe_refund_id, refund.status) == ("re_1", "succeeded")
    assert Payment.objects.get().refunded_amount == 9999


def test_booking_a_practitioner_who_cannot_take_charges_is_409(connect, connected):
    connected["account"].charges_enabled = False
    connected["account"].save()

    response = _book(connected)

    assert response.status_code == 409
    assert response.json()["code"] == "practitioner_cannot_accept_payments"
    assert len(connect.calls) == 0
    assert not Booking.objects.exists()


@pytest.mark.parametrize("case", ["own_service", "inactive_service", "long_idempotency_key"])
def test_an_unpayable_practitioner_is_refused_before_any_other_check(connect, connected, case):
    """The API answers this 409 first, as it always has, whatever else is wrong."""
    connected["account"].charges_enabled = False
    connected["account"].save()
    api, headers = connected["client_api"], {}
    if case == "own_service":
        api = connected["practitioner_api"]
    elif case == "inactive_service":
        connected["service"].is_active = False
        connected["service"].save()
    else:
        headers = {"HTTP_IDEMPOTENCY_KEY": "k" * 300}
    start = free_start(connected["profile"], connected["service"])

    response = api.post(
        "/api/v1/bookings/",
        {"service": str(connected["service"].pk), "start": iso(start)},
        **headers,
    )

    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "practitioner_cannot_accept_payments"
    assert len(connect.calls) == 0
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    ("account_id", "charges_enabled"), [("", False), ("acct_new", False)], ids=["none", "unready"]
)
def test_practitioner_without_charges_is_409_and_hold_released(
    connect, account_id, charges_enabled
):
    _, profile, service = make_practitioner()
    if account_id:
        ConnectAccount.objects.create(
            practitioner=profile, stripe_account_id=account_id, charges_enabled=charges_enabled
        )
    booking = make_booking(
        client=make_user(), service=service, status=BookingStatus.PENDING_PAYMENT
    )

    with pytest.raises(PractitionerCannotAcceptPayments) as exc:
        booking_payment_start(booking=booking)

    assert exc.value.status_code == 409
    assert exc.value.code == "practitioner_cannot_accept_payments"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED
    assert len(connect.calls) == 0
    assert not Payment.objects.exists()


def test_refund_of_destination_charge_reverses_transfer_and_fee(connect):
    _, _, service = make_practitioner()
    booking = make_booking(client=make_user(), service=service, status=BookingStatus.CONFIRMED)
    payment = make_payment(
        booking=booking,
        payment_intent_id="pi_conn",
        amount=9000,
        currency="EUR",
        application_fee_amount=1125,
        destination_account_id="acct_mira",
        status=PaymentStatus.SUCCEEDED,
    )
    connect.post(
        f"{API}/v1/refunds",
        json={"id": "re_1", "object": "refund", "amount": 4500, "status": "succeeded"},
    )

    refund = refunds.payment_refund(booking=booking, amount=4500, reason="cancellation")

    (call,) = connect.calls
    assert _form(call) == {
        "payment_intent": "pi_conn",
        "amount": "4500",
        "reverse_transfer": "true",
        "refund_application_fee": "true",
        "metadata[booking_id]": str(booking.pk),
        "metadata[refund_id]": str(refund.pk),
    }
    assert call.request.headers["Idempotency-Key"] == f"refund-{refund.pk}"
    payment.refresh_from_db()
    assert payment.refunded_amount == 4500
    assert refund.stripe_refund_id == "re_1"


def test_onboarding_creates_express_account_once_and_returns_link(connect):
    user, profile, _ = make_practitioner()
    connect.post(f"{API}/v1/accounts", json={"id": "acct_new", "object": "account"})
    link_url = "https://connect.stripe.com/setup/e/acct_new/abc"
    connect.post(
        f"{API}/v1/account_links",
        json={"object": "account_link", "url": link_url},
    )
    api = client_for(user)

    first = api.post("/api/v1/me/payouts/onboarding/")
    second = api.post("/api/v1/me/payouts/onboarding/")

    assert first.status_code == second.status_code == 200
    assert first.json() == {"url": link_url}
    account_call, link_call, second_link_call = connect.calls
    assert _form(account_call) == {
        "type": "express",
        "email": user.email,
        "capabilities[card_payments][requested]": "true",
        "capabilities[transfers][requested]": "true",
        "metadata[practitioner_id]": str(profile.pk),
    }
    expected_link = {
        "account": "acct_new",
        "refresh_url": "https://app.example.org/payouts/refresh",
        "return_url": "https://app.example.org/payouts/return",
        "type": "account_onboarding",
    }
    assert _form(link_call) == _form(second_link_call) == expected_link
    assert ConnectAccount.objects.get(practitioner=profile).stripe_account_id == "acct_new"


def test_payout_status_refresh_reads_the_account(connect):
    user, profile, _ = make_practitioner()
    ConnectAccount.objects.create(practitioner=profile, stripe_account_id="acct_mira")
    connect.get(
        f"{API}/v1/accounts/acct_mira",
        json={
            "id": "acct_mira",
            "object": "account",
            "charges_enabled": True,
            "payouts_enabled": False,
            "details_submitted": True,
        },
    )

    body = client_for(user).get("/api/v1/me/payouts/?refresh=true").json()

    assert body == {
        "stripe_account_id": "acct_mira",
        "charges_enabled": True,
        "payouts_enabled": False,
        "details_submitted": True,
    }


def test_onboarding_unreachable_stripe_is_503(connect):
    import requests

    user, _, _ = make_practitioner()
    connect.post(f"{API}/v1/accounts", body=requests.ConnectionError("down"))
    response = client_for(user).post("/api/v1/me/payouts/onboarding/")
    assert response.status_code == 503
    assert response.json()["code"] == "payment_provider_unavailable"


def test_onboarding_without_connect_is_409(settings, practitioner_api):
    settings.STRIPE_CONNECT = False
    response = practitioner_api.post("/api/v1/me/payouts/onboarding/")
    assert response.status_code == 409 and response.json()["code"] == "connect_disabled"


def test_payouts_are_for_practitioners_only(client_api):
    assert client_api.get("/api/v1/me/payouts/").status_code == 403
    assert client_api.post("/api/v1/me/payouts/onboarding/").status_code == 403


def test_refund_refused_by_stripe_is_kept_as_failed_and_can_be_retried(connect):
    _, _, service = make_practitioner()
    booking = make_booking(client=make_user(), service=service, status=BookingStatus.CONFIRMED)
    payment = make_payment(
        booking=booking,
        payment_intent_id="pi_refused",
        amount=9000,
        currency="EUR",
        status=PaymentStatus.SUCCEEDED,
    )
    connect.post(
        f"{API}/v1/refunds",
        status=400,
        json={"error": {"type": "invalid_request_error", "message": "Charge is disputed."}},
    )

    failed = refunds.payment_refund(booking=booking, amount=9000, reason="cancellation")

    assert failed.status == "failed" and "disputed" in failed.failure_message
    payment.refresh_from_db()
    assert payment.refunded_amount == 0  # the reservation is released
    connect.replace(
        responses.POST,
        f"{API}/v1/refunds",
        json={"id": "re_2", "object": "refund", "amount": 9000, "status": "succeeded"},
    )

    retried = refunds.payment_refund(booking=booking, amount=9000, reason="cancellation")

    assert (retried.status, retried.stripe_refund_id) == ("succeeded", "re_2")
    assert sorted(Refund.objects.values_list("status", flat=True)) == ["failed", "succeeded"]
    payment.refresh_from_db()
    assert payment.refunded_amount == 9000
