"""Moderators (staff and the moderators group) moderate only with two-factor sign-in:
the token must record a second factor and the account must still have it on."""

import pytest
from rest_framework.test import APIClient

from reviews.models import ReviewStatus
from tests.factories import (
    PASSWORD,
    client_for,
    make_moderator,
    make_review,
    make_staff,
    make_user,
    totp_code,
)

pytestmark = pytest.mark.django_db

QUEUE = "/api/v1/moderation/reviews/"


def _approve(api, review):
    return api.post(f"{QUEUE}{review.pk}/approve/")


@pytest.fixture
def pending(practice, reviewer):
    _, _, service = practice
    return make_review(client=reviewer, service=service)


@pytest.mark.parametrize("make", [make_moderator, make_staff])
def test_without_mfa_moderators_are_told_to_set_it_up(make, pending):
    api = client_for(make(mfa=False))
    for response in (
        api.get(QUEUE),
        _approve(api, pending),
        api.post(f"{QUEUE}{pending.pk}/reject/", {"reason": "No"}),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "mfa_required_for_role"
        assert "/api/v1/auth/mfa/totp/" in response.json()["detail"]
    pending.refresh_from_db()
    assert pending.status == ReviewStatus.PENDING


def test_a_password_only_token_is_not_enough_even_with_mfa_on(pending):
    moderator = make_moderator()
    response = _approve(client_for(moderator, mfa=False), pending)
    assert (response.status_code, response.json()["code"]) == (403, "mfa_required_for_role")
    assert _approve(client_for(moderator), pending).status_code == 200


def test_an_mfa_token_stops_working_for_moderation_once_mfa_is_off(pending):
    moderator = make_moderator()
    api = client_for(moderator)
    assert api.get(QUEUE).status_code == 200
    assert api.delete("/api/v1/auth/mfa/totp/", {"otp": totp_code(moderator)}).status_code == 204
    response = api.get(QUEUE)
    assert (response.status_code, response.json()["code"]) == (403, "mfa_required_for_role")


def test_non_moderators_are_refused_as_before(pending):
    response = client_for(make_user()).get(QUEUE)
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert APIClient().get(QUEUE).status_code == 401


def test_a_new_moderator_sets_up_mfa_signs_in_again_and_moderates(pending):
    moderator = make_moderator(mfa=False, email="mo@example.org")
    api = APIClient()
    first = api.post("/api/v1/auth/token/", {"email": moderator.email, "password": PASSWORD})
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {first.json()['access']}")
    assert api.get(QUEUE).json()["code"] == "mfa_required_for_role"

    assert api.post("/api/v1/auth/mfa/totp/").status_code == 201
    confirmed = api.post("/api/v1/auth/mfa/totp/confirm/", {"otp": totp_code(moderator)})
    assert confirmed.status_code == 200
    # The session opened with the password alone stays password-only.
    assert api.get(QUEUE).json()["code"] == "mfa_required_for_role"

    again = APIClient().post(
        "/api/v1/auth/token/",
        {"email": moderator.email, "password": PASSWORD, "otp": totp_code(moderator)},
    )
    assert again.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {again.json()['access']}")
    assert api.get(QUEUE).status_code == 200
    assert _approve(api, pending).json()["status"] == ReviewStatus.APPROVED
