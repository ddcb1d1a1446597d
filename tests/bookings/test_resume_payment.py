"""A held booking left without its payment: the client resumes it (POST /pay/) or frees it.

The state under test is what a server that died between committing the hold and creating
the PaymentIntent leaves behind: a pending_payment booking with a running hold and no
payment. Stripe is localstripe (tests/bookings/conftest.py).
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from payments.models import Payment
from tests.bookings.conftest import free_start, iso, slots_on
from tests.factories import client_for, make_booking, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/bookings/"


@pytest.fixture
def orphan(practitioner, client_user):
    """A pending_payment booking whose server died before it created the PaymentIntent."""
    _, profile, service = practitioner
    start = free_start(profile, service)
    booking = make_booking(
        client=client_user, service=service, start=start, status=BookingStatus.PENDING_PAYMENT
    )
    assert not Payment.objects.filter(booking=booking).exists()
    return booking


def _pay(api, booking):
    return api.post(f"{URL}{booking.pk}/pay/")


def test_client_resumes_the_payment_of_an_orphaned_hold(client_api, orphan, stripe_local_api):
    response = _pay(client_api, orphan)

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["id"] == str(orphan.pk) and body["status"] == "pending_payment"
    payment = body["payment"]
    assert payment["provider"] == "stripe" and payment["client_secret"]
    intent = stripe_local_api.v1.payment_intents.retrieve(payment["payment_intent_id"])
    assert intent.amount == orphan.amount and intent.metadata["booking_id"] == str(orphan.pk)
    assert intent.client_secret == payment["client_secret"]
    # The same shape as the booking itself shows, and as booking creation returns.
    assert client_api.get(f"{URL}{orphan.pk}/").json() == body


def test_paying_again_returns_the_same_payment(client_api, orphan):
    first = _pay(client_api, orphan).json()["payment"]
    again = _pay(client_api, orphan)

    assert again.status_code == 200
    assert again.json()["payment"] == first
    assert Payment.objects.filter(booking=orphan).count() == 1


def test_paying_a_booking_whose_payment_started_returns_that_payment(client_api, practitioner):
    _, profile, service = practitioner
    created = client_api.post(
        URL, {"service": str(service.pk), "start": iso(free_start(profile, service))}
    ).json()

    response = client_api.post(f"{URL}{created['id']}/pay/")

    assert response.status_code == 200
    assert response.json()["payment"] == created["payment"]


def test_only_the_client_may_pay(orphan, practitioner):
    stranger = _pay(client_for(make_user()), orphan)
    assert stranger.status_code == 404 and stranger.json()["code"] == "not_found"
    own_practitioner = _pay(client_for(practitioner[0]), orphan)
    assert own_practitioner.status_code == 403
    assert own_practitioner.json()["code"] == "permission_denied"
    assert not Payment.objects.exists()


def test_a_lapsed_hold_cannot_be_paid(client_api, orphan):
    Booking.objects.filter(pk=orphan.pk).update(
        hold_expires_at=timezone.now() - timedelta(seconds=1)
    )
    lapsed = _pay(client_api, orphan)
    assert lapsed.status_code == 409 and lapsed.json()["code"] == "hold_expired"

    Booking.objects.filter(pk=orphan.pk).update(status=BookingStatus.EXPIRED)
    expired = _pay(client_api, orphan)
    assert expired.status_code == 409 and expired.json()["code"] == "hold_expired"
    assert not Payment.objects.exists()


def test_a_booking_not_waiting_for_payment_cannot_be_paid(client_api, free_practitioner):
    _, profile, service = free_practitioner
    confirmed = client_api.post(
        URL, {"service": str(service.pk), "start": iso(free_start(profile, service))}
    ).json()
    assert confirmed["status"] == "confirmed"

    response = client_api.post(f"{URL}{confirmed['id']}/pay/")

    assert response.status_code == 409
    assert response.json()["code"] == "booking_not_pending_payment"


def test_stripe_down_keeps_the_hold_for_a_retry(client_api, orphan, settings, localstripe):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens

    down = _pay(client_api, orphan)

    assert down.status_code == 503 and down.json()["code"] == "payment_provider_unavailable"
    assert down["Retry-After"]
    orphan.refresh_from_db()
    assert orphan.status == BookingStatus.PENDING_PAYMENT and orphan.hold_expires_at is not None
    settings.STRIPE_API_BASE = localstripe
    retry = _pay(client_api, orphan)
    assert retry.status_code == 200 and retry.json()["payment"]["client_secret"]


def test_client_cancelling_an_orphaned_hold_frees_the_slot_at_once(client_api, orphan):
    service = orphan.service
    profile = service.practitioner
    offered = [slot.start for slot in slots_on(profile, service, days_ahead=3)]
    assert orphan.start not in offered

    response = client_api.post(f"{URL}{orphan.pk}/cancel/")

    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert orphan.start in [slot.start for slot in slots_on(profile, service, days_ahead=3)]
    other = client_for(make_user()).post(
        URL, {"service": str(service.pk), "start": iso(orphan.start)}
    )
    assert other.status_code == 201, other.json()
    assert other.json()["status"] == "pending_payment"


def test_pay_is_for_signed_in_clients(api_client, orphan):
    assert _pay(api_client, orphan).status_code == 401
