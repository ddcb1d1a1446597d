"""Registration and deletion through the API, and the accounts.signals contract behind them.

accounts reaches the apps above it only through its signals; these tests hold the
contract: receivers run inside the accounts transaction, a refusal rolls everything
back and is the response, and the checks run before any effect.
"""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import signals
from accounts.models import User
from bookings.models import BookingStatus
from core.errors import Conflict
from directory.models import Location, PractitionerProfile
from tests.factories import PASSWORD, client_for, make_booking, make_practitioner, make_user

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
ME = "/api/v1/me/"
OPEN_BOOKINGS = {
    "code": "open_bookings",
    "detail": "Cancel your upcoming bookings before deleting the account.",
}


@contextmanager
def connected(signal, receiver):
    signal.connect(receiver, dispatch_uid="test-receiver")
    try:
        yield
    finally:
        assert signal.disconnect(dispatch_uid="test-receiver")


def refuse(sender, *, user, **kwargs):
    raise Conflict("Refused by a test receiver.", code="test_refusal")


def upcoming_booking(*, client, service):
    start = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    return make_booking(client=client, service=service, start=start, status=BookingStatus.CONFIRMED)


def test_a_refusing_registration_receiver_rolls_back_the_user_and_the_profile(api_client):
    body = {"email": "mira@example.org", "password": PASSWORD, "name": "Mira"}
    body["role"] = "practitioner"
    with connected(signals.user_registered, refuse):
        response = api_client.post(REGISTER, body, format="json")
    assert response.status_code == 409
    assert response.data == {"code": "test_refusal", "detail": "Refused by a test receiver."}
    assert not User.objects.filter(email="mira@example.org").exists()
    assert not PractitionerProfile.objects.exists()


def test_registration_receivers_see_the_saved_user(api_client):
    seen = []

    def record(sender, *, user, **kwargs):
        seen.append((sender, str(user.pk), User.objects.filter(pk=user.pk).exists()))

    body = {"email": "anna@example.org", "password": PASSWORD, "name": "Anna", "role": "client"}
    with connected(signals.user_registered, record):
        response = api_client.post(REGISTER, body, format="json")
    assert response.status_code == 201
    assert seen == [(User, response.data["id"], True)]


def test_practitioner_with_upcoming_bookings_is_refused_before_any_effect():
    practitioner, profile, service = make_practitioner()
    upcoming_booking(client=make_user(), service=service)
    effects = []
    with connected(signals.account_deleting, lambda sender, **kw: effects.append(kw["user"])):
        response = client_for(practitioner).delete(ME)
    assert response.status_code == 409
    assert response.data == OPEN_BOOKINGS
    assert effects == []
    profile.refresh_from_db()
    assert profile.is_published and profile.display_name
    assert Location.objects.filter(practitioner=profile, is_listed=True).exists()
    practitioner.refresh_from_db()
    assert practitioner.is_active and practitioner.anonymised_at is None


def test_client_with_upcoming_bookings_is_refused_with_the_same_body():
    _practitioner, _profile, service = make_practitioner()
    client = make_user()
    upcoming_booking(client=client, service=service)
    response = client_for(client).delete(ME)
    assert response.status_code == 409
    assert response.data == OPEN_BOOKINGS


def test_a_refusing_check_keeps_the_profile_and_the_user():
    practitioner, profile, _service = make_practitioner()
    with connected(signals.account_deletion_requested, refuse):
        response = client_for(practitioner).delete(ME)
    assert response.status_code == 409
    assert response.data["code"] == "test_refusal"
    profile.refresh_from_db()
    assert profile.is_published and profile.display_name
    practitioner.refresh_from_db()
    assert practitioner.is_active and practitioner.name


def test_an_effect_that_fails_rolls_back_the_whole_deletion():
    practitioner, profile, _service = make_practitioner()
    with connected(signals.account_deleting, refuse):
        response = client_for(practitioner).delete(ME)
    assert response.status_code == 409
    profile.refresh_from_db()
    assert profile.is_published and profile.display_name
    practitioner.refresh_from_db()
    assert practitioner.is_active and practitioner.anonymised_at is None


def test_effect_receivers_run_after_the_checks_and_before_anonymising():
    practitioner, profile, _service = make_practitioner(name="Mira Lind")
    calls = []

    def check(sender, *, user, **kwargs):
        calls.append(("check", user.name))

    def effect(sender, *, user, **kwargs):
        calls.append(("effect", User.objects.get(pk=user.pk).name))

    # Connected effect first: the order of connection must not matter.
    with connected(signals.account_deleting, effect):
        signals.account_deletion_requested.connect(check, dispatch_uid="test-check")
        try:
            response = client_for(practitioner).delete(ME)
        finally:
            signals.account_deletion_requested.disconnect(dispatch_uid="test-check")
    assert response.status_code == 204
    assert calls == [("check", "Mira Lind"), ("effect", "Mira Lind")]
    profile.refresh_from_db()
    assert not profile.is_published
    assert not Location.objects.filter(practitioner=profile, is_listed=True).exists()
