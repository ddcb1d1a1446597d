import pytest
from django.test import override_settings
from rest_framework_simplejwt.tokens import AccessToken

from directory.models import PractitionerProfile
from tests.factories import PASSWORD, client_for, make_user

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
ME = "/api/v1/me/"


def register(api_client, **overrides):
    body = {
        "email": "anna@example.org",
        "password": PASSWORD,
        "name": "Anna Kowalska",
        "role": "client",
    }
    body.update(overrides)
    return api_client.post(REGISTER, body, format="json")


def test_register_client_returns_the_user(api_client):
    response = register(api_client)
    assert response.status_code == 201, response.content
    assert set(response.data) == {
        "id",
        "email",
        "name",
        "role",
        "is_moderator",
        "is_staff",
        "email_verified",
        "mfa_enabled",
        "phone",
    }
    assert response.data["is_moderator"] is False
    assert response.data["is_staff"] is False
    assert response.data["email_verified"] is False
    assert response.data["mfa_enabled"] is False
    assert response.data["phone"] == ""
    assert response.data["email"] == "anna@example.org"
    assert response.data["role"] == "client"
    assert not PractitionerProfile.objects.exists()


def test_register_practitioner_creates_unpublished_profile(api_client):
    response = register(api_client, role="practitioner", name="Mira Lind")
    assert response.status_code == 201
    profile = PractitionerProfile.objects.get(user_id=response.data["id"])
    assert profile.is_published is False
    assert profile.display_name == "Mira Lind"
    assert profile.slug == "mira-lind"


def test_practitioner_slugs_stay_unique(api_client):
    register(api_client, email="a@example.org", role="practitioner", name="Mira Lind")
    register(api_client, email="b@example.org", role="practitioner", name="Mira Lind")
    assert sorted(PractitionerProfile.objects.values_list("slug", flat=True)) == [
        "mira-lind",
        "mira-lind-2",
    ]


@pytest.mark.parametrize("email", ["anna@example.org", "ANNA@Example.org", "Anna@EXAMPLE.ORG"])
def test_duplicate_email_in_any_case_is_400(api_client, email):
    assert register(api_client).status_code == 201
    response = register(api_client, email=email)
    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert "email" in response.data["fields"]


@pytest.mark.parametrize("password", ["short", "password123", "12345678901", "anna.kowalska"])
def test_weak_password_is_400_with_messages(api_client, password):
    response = register(api_client, password=password)
    assert response.status_code == 400
    assert response.data["fields"]["password"], response.data


@pytest.mark.parametrize("role", ["admin", "moderator", "", None])
def test_unknown_role_is_400(api_client, role):
    response = register(api_client, role=role)
    assert response.status_code == 400
    assert "role" in response.data["fields"]


@pytest.mark.parametrize("missing", ["email", "password", "name", "role"])
def test_missing_field_is_400(api_client, missing):
    body = {"email": "x@example.org", "password": PASSWORD, "name": "X Y", "role": "client"}
    del body[missing]
    response = api_client.post(REGISTER, body, format="json")
    assert response.status_code == 400
    assert missing in response.data["fields"]


def test_invalid_email_is_400(api_client):
    assert register(api_client, email="not-an-email").status_code == 400


def test_malformed_json_is_400(api_client):
    response = api_client.generic("POST", REGISTER, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.data["code"] == "json_invalid"


def test_login_returns_tokens_and_email_is_case_insensitive(api_client):
    register(api_client)
    response = api_client.post(TOKEN, {"email": "ANNA@example.org", "password": PASSWORD})
    assert response.status_code == 200, response.content
    assert set(response.data) == {"access", "refresh"}
    me = api_client.get(ME, HTTP_AUTHORIZATION=f"Bearer {response.data['access']}")
    assert me.status_code == 200
    assert me.data["email"] == "anna@example.org"


def test_wrong_password_is_401(api_client):
    register(api_client)
    response = api_client.post(TOKEN, {"email": "anna@example.org", "password": "wrong-password"})
    assert response.status_code == 401
    assert response.data["code"] == "no_active_account"


def test_unknown_user_is_401(api_client):
    response = api_client.post(TOKEN, {"email": "nobody@example.org", "password": PASSWORD})
    assert response.status_code == 401


def test_refresh_gives_a_new_access_token(api_client):
    register(api_client)
    tokens = api_client.post(TOKEN, {"email": "anna@example.org", "password": PASSWORD}).data
    response = api_client.post(REFRESH, {"refresh": tokens["refresh"]})
    assert response.status_code == 200
    assert "access" in response.data
    assert AccessToken(response.data["access"])["user_id"]


def test_garbled_refresh_token_is_401(api_client):
    response = api_client.post(REFRESH, {"refresh": "garbage"})
    assert response.status_code == 401
    assert response.data["code"] == "token_invalid"


def test_garbled_access_token_is_401(api_client):
    response = api_client.get(ME, HTTP_AUTHORIZATION="Bearer not.a.token")
    assert response.status_code == 401
    assert response.data["code"] == "token_invalid"


def test_expired_access_token_is_401(api_client):
    user = make_user()
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-__import__("datetime").timedelta(seconds=1))
    response = api_client.get(ME, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
    assert response.data["code"] == "token_expired"


def test_me_without_token_is_401(api_client):
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.data["code"] == "not_authenticated"


def test_me_patch_updates_name_but_never_role_or_email(db):
    user = make_user(name="Old Name")
    api = client_for(user)
    response = api.patch(ME, {"name": "New Name", "role": "practitioner", "email": "x@y.org"})
    assert response.status_code == 200
    assert response.data["name"] == "New Name"
    assert response.data["role"] == "client"
    user.refresh_from_db()
    assert (user.name, user.role, user.email) == ("New Name", "client", user.email)
    assert user.email != "x@y.org"


def test_moderator_flag_from_group_or_staff(db, moderator_user):
    assert moderator_user.is_moderator
    assert make_user(is_staff=True).is_moderator
    assert not make_user().is_moderator


@override_settings(THROTTLE_RATES="auth=3/min")
def test_login_is_throttled_with_retry_after(api_client):
    for _ in range(3):
        api_client.post(TOKEN, {"email": "nobody@example.org", "password": "x"})
    response = api_client.post(TOKEN, {"email": "nobody@example.org", "password": "x"})
    assert response.status_code == 429
    assert response.data["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_delete_account_anonymises_and_blocks_login(api_client):
    user = make_user(email="gone@example.org", name="Gone Person")
    response = client_for(user).delete(ME)
    assert response.status_code == 204
    user.refresh_from_db()
    assert user.email.endswith("@deleted.invalid")
    assert user.name == ""
    assert not user.is_active
    assert user.anonymised_at is not None
    login = api_client.post(TOKEN, {"email": "gone@example.org", "password": PASSWORD})
    assert login.status_code == 401
    # The address is free again for a new account.
    assert register(api_client, email="gone@example.org").status_code == 201


def test_me_says_whether_the_user_may_moderate(client_api, moderator_user):
    assert client_api.get("/api/v1/me/").json()["is_moderator"] is False
    moderator = client_for(moderator_user).get("/api/v1/me/").json()
    assert moderator["is_moderator"] is True
