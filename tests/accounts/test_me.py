"""GET/PATCH /api/v1/me/: what an SPA needs to know about the user, and the phone number."""

import pytest

from accounts.models import User
from tests.factories import client_for, make_moderator, make_user

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


def test_me_says_role_rights_verification_and_mfa():
    body = client_for(make_user(role="practitioner", email_verified=False)).get(ME).json()
    assert {k: body[k] for k in ("role", "is_moderator", "is_staff", "email_verified")} == {
        "role": "practitioner",
        "is_moderator": False,
        "is_staff": False,
        "email_verified": False,
    }
    assert body["mfa_enabled"] is False
    assert body["phone"] == ""
    staff = client_for(make_user(is_staff=True)).get(ME).json()
    assert (staff["is_staff"], staff["is_moderator"], staff["email_verified"]) == (True, True, True)
    moderator = client_for(make_moderator()).get(ME).json()
    assert (moderator["is_staff"], moderator["is_moderator"]) == (False, True)


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("+49 30 1234567", "+49301234567"),
        ("+1 (202) 555-0123", "+12025550123"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_patch_phone_stores_e164(given, stored):
    user = make_user()
    response = client_for(user).patch(ME, {"phone": given})
    assert response.status_code == 200, response.json()
    assert response.json()["phone"] == stored
    user.refresh_from_db()
    assert user.phone == stored


@pytest.mark.parametrize(
    "given", ["030 1234567", "+49 30", "+999 123456", "call me", "+1 202 555 01234567890"]
)
def test_an_invalid_phone_is_400_phone_invalid_and_keeps_the_old_one(given):
    user = make_user(phone="+49301234567")
    response = client_for(user).patch(ME, {"phone": given})
    assert response.status_code == 400
    assert response.json()["code"] == "phone_invalid"
    assert response.json()["fields"]["phone"]
    assert User.objects.get(pk=user.pk).phone == "+49301234567"


@pytest.mark.parametrize("empty", ["", "   ", None])
def test_an_empty_phone_clears_it(empty):
    user = make_user(phone="+49301234567")
    response = client_for(user).patch(ME, {"phone": empty}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["phone"] == ""
    assert User.objects.get(pk=user.pk).phone == ""


def test_a_patch_without_phone_keeps_it():
    user = make_user(phone="+49301234567")
    response = client_for(user).patch(ME, {"name": "New Name"})
    assert response.json()["phone"] == "+49301234567"


@pytest.mark.parametrize("value", [["+49301234567"], {"n": 1}, "+" + "1" * 40])
def test_a_phone_that_is_not_a_short_string_is_400(value):
    response = client_for(make_user()).patch(ME, {"phone": value}, format="json")
    assert response.status_code == 400 and "phone" in response.json()["fields"]


def test_deleting_the_account_wipes_the_phone():
    user = make_user(phone="+49301234567")
    assert client_for(user).delete(ME).status_code == 204
    assert User.objects.get(pk=user.pk).phone == ""
