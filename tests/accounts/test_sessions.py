"""Sessions end when they should: rotation, logout, and revocation of every token at once.

A password change or reset, a deactivation and a deletion end every session of the user
at once: access tokens answer 401 on their next request (not at their expiry) and refresh
tokens cannot mint new ones. Expired tokens say `token_expired`, all others `token_invalid`.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from accounts.tasks import flush_expired_tokens
from accounts.tokens import UserRefreshToken
from tests.accounts.conftest import assert_rejected, assert_session_ended, login, me, refresh
from tests.factories import PASSWORD, admin_client_for, make_staff, make_user
from tests.threads import run_together

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"
CHANGE = "/api/v1/auth/password/change/"
ME = "/api/v1/me/"


def test_a_refresh_token_works_once_and_its_successor_works():
    pair = login(make_user())
    rotated = refresh(pair["refresh"])
    assert rotated.status_code == 200
    assert set(rotated.json()) == {"access", "refresh"}
    assert rotated.json()["refresh"] != pair["refresh"]
    assert_rejected(refresh(pair["refresh"]))  # used: blacklisted
    assert me(rotated.json()["access"]).status_code == 200
    assert refresh(rotated.json()["refresh"]).status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_refreshes_of_one_token_at_once_give_one_new_pair():
    pair = login(make_user())
    statuses = []
    errors = run_together([lambda: statuses.append(refresh(pair["refresh"]).status_code)] * 4)
    assert errors == []
    assert sorted(statuses) == [200, 401, 401, 401]


def test_logout_ends_the_refresh_token():
    pair = login(make_user())
    response = APIClient().post(LOGOUT, {"refresh": pair["refresh"]})
    assert response.status_code == 204
    assert_rejected(refresh(pair["refresh"]))
    assert_rejected(APIClient().post(LOGOUT, {"refresh": pair["refresh"]}))


def test_logout_with_an_expired_access_token_in_the_header_still_works():
    user = make_user()
    pair = login(user)
    stale = UserRefreshToken.for_user(user).access_token
    stale.set_exp(lifetime=-timedelta(seconds=1))
    response = APIClient().post(
        LOGOUT, {"refresh": pair["refresh"]}, HTTP_AUTHORIZATION=f"Bearer {stale}"
    )
    assert response.status_code == 204


@pytest.mark.parametrize("body", [{}, {"refresh": ""}, {"refresh": "x" * 5000}])
def test_refresh_and_logout_without_a_token_are_400(body):
    for url in (REFRESH, LOGOUT):
        response = APIClient().post(url, body, format="json")
        assert response.status_code == 400 and "refresh" in response.json()["fields"]


def test_expired_and_invalid_tokens_are_told_apart():
    user = make_user()
    expired = UserRefreshToken.for_user(user)
    expired.set_exp(lifetime=-timedelta(seconds=1))
    expired_access = UserRefreshToken.for_user(user).access_token
    expired_access.set_exp(lifetime=-timedelta(seconds=1))
    assert_rejected(refresh(str(expired)), code="token_expired")
    assert_rejected(me(str(expired_access)), code="token_expired")
    assert_rejected(APIClient().post(LOGOUT, {"refresh": str(expired)}), code="token_expired")

    pair = login(user)
    assert_rejected(refresh(pair["access"]))  # an access token is not a refresh token
    assert_rejected(me(pair["refresh"]))
    assert_rejected(me(pair["access"][:-2] + "xx"))  # altered signature


def test_changing_the_password_ends_every_session_and_starts_a_new_one():
    user = make_user()
    first, second = login(user), login(user)
    response = APIClient().post(
        CHANGE,
        {"old_password": PASSWORD, "new_password": "new-Quiet-Harbour-7"},
        HTTP_AUTHORIZATION=f"Bearer {first['access']}",
    )
    assert response.status_code == 200, response.json()
    assert_session_ended(first)
    assert_session_ended(second)
    assert me(response.json()["access"]).status_code == 200
    assert refresh(response.json()["refresh"]).status_code == 200
    assert APIClient().post(TOKEN, {"email": user.email, "password": PASSWORD}).status_code == 401
    assert me(login(user, "new-Quiet-Harbour-7")["access"]).status_code == 200


def test_a_wrong_current_password_is_400_and_changes_nothing():
    user = make_user()
    pair = login(user)
    response = APIClient().post(
        CHANGE,
        {"old_password": "not-my-password", "new_password": "new-Quiet-Harbour-7"},
        HTTP_AUTHORIZATION=f"Bearer {pair['access']}",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "password_incorrect"
    assert response.json()["fields"]["old_password"]
    assert me(pair["access"]).status_code == 200
    assert refresh(pair["refresh"]).status_code == 200


@pytest.mark.parametrize("weak", ["short", "password123", "12345678901"])
def test_a_weak_new_password_is_400_with_the_validators_messages(weak):
    user = make_user()
    pair = login(user)
    response = APIClient().post(
        CHANGE,
        {"old_password": PASSWORD, "new_password": weak},
        HTTP_AUTHORIZATION=f"Bearer {pair['access']}",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["fields"]["new_password"]
    assert all(isinstance(message, str) for message in response.json()["fields"]["new_password"])
    assert me(pair["access"]).status_code == 200


def test_changing_the_password_needs_a_login():
    response = APIClient().post(
        CHANGE, {"old_password": PASSWORD, "new_password": "new-Quiet-Harbour-7"}
    )
    assert response.status_code == 401


def test_a_password_set_in_a_shell_ends_every_session():
    user = make_user()
    pair = login(user)
    user = User.objects.get(pk=user.pk)
    user.set_password("set-In-A-Shell-2026")
    user.save()
    assert_session_ended(pair)


def test_a_rehash_of_the_same_password_keeps_sessions(settings):
    user = make_user()
    pair = login(user)
    # A stronger hasher becomes the default: the next login re-hashes the password.
    settings.PASSWORD_HASHERS = [
        "tests.accounts.conftest.QuickPBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    fresh = login(user)
    assert User.objects.get(pk=user.pk).password.startswith("pbkdf2_sha256$1000$")
    assert me(pair["access"]).status_code == 200
    assert me(fresh["access"]).status_code == 200


def test_deactivating_in_the_admin_ends_every_session_for_good():
    user = make_user()
    pair = login(user)
    admin = admin_client_for(make_staff(is_superuser=True))
    response = admin.post(
        "/admin/accounts/user/", {"action": "deactivate", "_selected_action": [str(user.pk)]}
    )
    assert response.status_code == 302
    assert not User.objects.get(pk=user.pk).is_active
    assert_session_ended(pair)
    User.objects.filter(pk=user.pk).update(is_active=True)  # reactivated later
    assert_session_ended(pair)
    assert me(login(user)["access"]).status_code == 200


def test_deleting_the_account_ends_every_session_and_its_records():
    user = make_user()
    pair, other = login(user), login(user)
    response = APIClient().delete(ME, HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert response.status_code == 204
    assert_session_ended(pair)
    assert_session_ended(other)
    assert not OutstandingToken.objects.filter(user=user).exists()
    User.objects.filter(pk=user.pk).update(is_active=True)  # even if reactivated by mistake
    assert_session_ended(other)


def test_tokens_minted_without_the_version_claim_end_with_the_first_revocation():
    user = make_user()
    legacy = RefreshToken.for_user(user)  # as issued before tokens carried a version
    assert me(str(legacy.access_token)).status_code == 200
    assert login(user)  # logging in changes nothing
    user = User.objects.get(pk=user.pk)
    user.set_password("new-Quiet-Harbour-7")
    user.save()
    assert_rejected(me(str(legacy.access_token)))
    assert_rejected(refresh(str(legacy)))


def test_the_daily_job_purges_the_records_of_expired_refresh_tokens():
    user = make_user()
    used, live = login(user), login(user)
    assert refresh(used["refresh"]).status_code == 200  # blacklists it, records its successor
    OutstandingToken.objects.filter(token=used["refresh"]).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    kept = OutstandingToken.objects.count() - 1
    flush_expired_tokens()
    assert OutstandingToken.objects.count() == kept
    assert not OutstandingToken.objects.filter(token=used["refresh"]).exists()
    assert refresh(live["refresh"]).status_code == 200
