"""E-mail verification through the API, with the e-mails Django's locmem outbox captures.

Unverified accounts may browse and search; booking, reviewing and publishing a profile
answer 409 `email_unverified` until the address is verified.
"""

import pytest
from django.core import mail
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.models import User
from accounts.verification import email_verification_key
from bookings.models import BookingStatus
from tests.accounts.conftest import link_in
from tests.bookings.conftest import free_start, iso
from tests.factories import (
    PASSWORD,
    client_for,
    make_booking,
    make_location,
    make_practitioner,
    make_service,
    make_user,
)

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
TOKEN = "/api/v1/auth/token/"
VERIFY = "/api/v1/auth/email/verify/"
RESEND = "/api/v1/auth/email/resend/"
ME = "/api/v1/me/"


@pytest.fixture
def registered(api_client, django_capture_on_commit_callbacks):
    """Anna registered through the API: (her verification key, her logged-in client)."""
    body = {"email": "anna@example.org", "password": PASSWORD, "name": "Anna K", "role": "client"}
    with django_capture_on_commit_callbacks(execute=True):
        assert api_client.post(REGISTER, body).status_code == 201
    (message,) = mail.outbox
    assert message.to == ["anna@example.org"]
    url, query = link_in(message)
    assert url == "http://127.0.0.1:3000/verify-email"
    assert f"key={query['key']}" in message.body  # nothing to unescape
    login = api_client.post(TOKEN, {"email": "anna@example.org", "password": PASSWORD})
    anna = APIClient()
    anna.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['access']}")
    return query["key"], anna


def test_register_verify_then_book(registered, api_client):
    key, anna = registered
    _, profile, service = make_practitioner(name="Free Fran", price_amount=0, min_notice_minutes=0)
    booking = {"service": str(service.pk), "start": iso(free_start(profile, service))}

    assert anna.get(ME).json()["email_verified"] is False
    refused = anna.post("/api/v1/bookings/", booking)
    assert refused.status_code == 409
    assert refused.json()["code"] == "email_unverified"

    verified = api_client.post(VERIFY, {"key": key})  # from the e-mail, not logged in
    assert verified.status_code == 200, verified.json()
    assert verified.json() == {"email_verified": True}
    assert anna.get(ME).json()["email_verified"] is True

    booked = anna.post("/api/v1/bookings/", booking)
    assert booked.status_code == 201, booked.json()
    assert booked.json()["status"] == BookingStatus.CONFIRMED


def test_verifying_again_with_the_same_key_answers_the_same(registered, api_client):
    key, anna = registered
    assert api_client.post(VERIFY, {"key": key}).status_code == 200
    first = User.objects.get(email="anna@example.org").email_verified_at
    again = anna.post(VERIFY, {"key": key})  # logged in as the key's owner this time
    assert again.status_code == 200 and again.json() == {"email_verified": True}
    assert User.objects.get(email="anna@example.org").email_verified_at == first


@pytest.mark.parametrize(
    "tamper",
    [
        lambda key: key[:-1] + ("A" if key[-1] != "A" else "B"),  # the signature
        lambda key: "x" + key,  # the payload
        lambda key: key.split(".")[0],  # no signature at all
        lambda key: "not-a-key",
    ],
)
def test_an_altered_key_is_token_invalid(registered, api_client, tamper):
    key, _ = registered
    response = api_client.post(VERIFY, {"key": tamper(key)})
    assert response.status_code == 400
    assert response.json()["code"] == "token_invalid"
    assert not User.objects.get(email="anna@example.org").email_verified


@pytest.mark.parametrize("body", [{}, {"key": ""}, {"key": ["a"]}, {"key": "k" * 1001}])
def test_a_missing_or_malformed_key_is_400(api_client, body):
    response = api_client.post(VERIFY, body, format="json")
    assert response.status_code == 400 and "key" in response.json()["fields"]


def test_an_expired_key_is_token_invalid(registered, api_client, settings):
    key, _ = registered
    settings.EMAIL_VERIFICATION_TIMEOUT = -1  # every key is older than that
    response = api_client.post(VERIFY, {"key": key})
    assert response.status_code == 400 and response.json()["code"] == "token_invalid"
    assert not User.objects.get(email="anna@example.org").email_verified


def test_a_key_for_an_address_the_account_no_longer_has_is_token_invalid(registered, api_client):
    key, _ = registered
    User.objects.filter(email="anna@example.org").update(email="anna@elsewhere.org")
    response = api_client.post(VERIFY, {"key": key})
    assert response.status_code == 400 and response.json()["code"] == "token_invalid"
    assert not User.objects.get(email="anna@elsewhere.org").email_verified


def test_a_key_of_a_deleted_account_is_token_invalid(registered, api_client):
    key, anna = registered
    assert anna.delete(ME).status_code == 204
    response = api_client.post(VERIFY, {"key": key})
    assert response.status_code == 400 and response.json()["code"] == "token_invalid"


def test_another_users_key_is_token_invalid_for_a_logged_in_user(registered):
    key, _ = registered
    other = make_user(email_verified=False)
    response = client_for(other).post(VERIFY, {"key": key})
    assert response.status_code == 400 and response.json()["code"] == "token_invalid"
    assert not User.objects.get(email="anna@example.org").email_verified
    other.refresh_from_db()
    assert not other.email_verified


def test_resend_mails_a_new_link_that_verifies(api_client, django_capture_on_commit_callbacks):
    user = make_user(email="new@example.org", email_verified=False)
    api = client_for(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(RESEND)
    assert response.status_code == 202
    (message,) = mail.outbox
    assert message.to == ["new@example.org"]
    assert "\n" not in message.subject
    _, query = link_in(message)
    assert api_client.post(VERIFY, {"key": query["key"]}).status_code == 200
    assert api.get(ME).json()["email_verified"] is True
    again = api.post(RESEND)
    assert again.status_code == 409 and again.json()["code"] == "email_already_verified"


def test_resend_needs_a_login(api_client):
    assert api_client.post(RESEND).status_code == 401


@override_settings(THROTTLE_RATES="auth=2/min")
def test_resend_is_throttled_with_the_auth_scope():
    api = client_for(make_user(email_verified=False))
    assert [api.post(RESEND).status_code for _ in range(3)] == [202, 202, 429]


def test_an_unverified_client_browses_but_cannot_book_or_review():
    _, profile, service = make_practitioner(min_notice_minutes=0)
    client = make_user(email_verified=False)
    api = client_for(client)
    assert api.get("/api/v1/practitioners/").status_code == 200
    assert api.get(f"/api/v1/practitioners/{profile.slug}/").status_code == 200
    start = free_start(profile, service)
    day = start.date().isoformat()
    slots = api.get(
        f"/api/v1/practitioners/{profile.slug}/slots/",
        {"service": str(service.pk), "from": day, "to": day},
    )
    assert slots.status_code == 200

    booking = api.post("/api/v1/bookings/", {"service": str(service.pk), "start": iso(start)})
    assert booking.status_code == 409 and booking.json()["code"] == "email_unverified"

    completed = make_booking(client=client, service=service, status=BookingStatus.COMPLETED)
    review = api.post(
        f"/api/v1/bookings/{completed.pk}/review/", {"rating": 5, "text": "Calm and kind."}
    )
    assert review.status_code == 409 and review.json()["code"] == "email_unverified"


def test_a_practitioner_publishes_only_with_a_verified_address(api_client):
    user = make_user(role="practitioner", name="Mira Lind", email_verified=False)
    profile = user.practitioner_profile
    make_service(profile, location=make_location(profile, name="Practice"))
    profile.availability_rules.create(weekday=0, start_minute=540, end_minute=1020)
    api = client_for(user)

    refused = api.patch("/api/v1/me/profile/", {"is_published": True})
    assert refused.status_code == 409 and refused.json()["code"] == "email_unverified"
    profile.refresh_from_db()
    assert not profile.is_published

    assert api.post(VERIFY, {"key": email_verification_key(user)}).status_code == 200
    published = api.patch("/api/v1/me/profile/", {"is_published": True})
    assert published.status_code == 200 and published.json()["is_published"] is True
