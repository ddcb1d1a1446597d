"""Two-factor authentication through the API: set-up, sign-in with and without a code,
recovery codes, turning it off, and the token's record of how it was obtained."""

from urllib.parse import parse_qs, unquote, urlparse

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from tests.factories import (
    PASSWORD,
    client_for,
    enable_mfa,
    make_user,
    totp_code,
    wrong_totp_code,
)

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
TOTP = "/api/v1/auth/mfa/totp/"
CONFIRM = "/api/v1/auth/mfa/totp/confirm/"


def sign_in(email, password=PASSWORD, **extra):
    return APIClient().post(TOKEN, {"email": email, "password": password, **extra})


def amr_of(response) -> list:
    return AccessToken(response.json()["access"])["amr"]


def test_set_up_confirm_and_sign_in_with_a_code():
    user = make_user(email="mia@example.org")
    api = client_for(user)

    started = api.post(TOTP)
    assert started.status_code == 201, started.content
    body = started.json()
    uri = urlparse(body["otpauth_uri"])
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert unquote(uri.path) == "/Stillpoint:mia@example.org"
    assert parse_qs(uri.query)["secret"] == [body["secret"]]
    assert parse_qs(uri.query)["issuer"] == ["Stillpoint"]
    assert (body["digits"], body["period"]) == (6, 30)
    # Not on until confirmed: signing in still needs only the password.
    assert sign_in(user.email).status_code == 200

    wrong = api.post(CONFIRM, {"otp": wrong_totp_code(user)})
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "mfa_invalid"

    confirmed = api.post(CONFIRM, {"otp": totp_code(user)})
    assert confirmed.status_code == 200, confirmed.content
    codes = confirmed.json()["recovery_codes"]
    assert len(codes) == 10
    assert len(set(codes)) == 10

    without = sign_in(user.email)
    assert without.status_code == 401
    assert without.json()["code"] == "mfa_required"
    with_code = sign_in(user.email, otp=totp_code(user))
    assert with_code.status_code == 200, with_code.content
    assert amr_of(with_code) == ["pwd", "otp"]
    # A refreshed access token still says how the session was opened.
    refreshed = APIClient().post(REFRESH, {"refresh": with_code.json()["refresh"]})
    assert AccessToken(refreshed.json()["access"])["amr"] == ["pwd", "otp"]


def test_password_only_tokens_say_so():
    user = make_user()
    response = sign_in(user.email)
    assert response.status_code == 200
    assert amr_of(response) == ["pwd"]


def test_a_wrong_password_is_refused_before_the_code_is_asked_for():
    user = make_user()
    enable_mfa(user)
    response = sign_in(user.email, password="not-the-password", otp=totp_code(user))
    assert response.status_code == 401
    assert response.json()["code"] == "no_active_account"


def test_an_app_code_works_once():
    user = make_user()
    enable_mfa(user)
    code = totp_code(user)
    assert sign_in(user.email, otp=code).status_code == 200
    replay = sign_in(user.email, otp=code)
    assert replay.status_code == 400
    assert replay.json()["code"] == "mfa_invalid"


def test_a_recovery_code_signs_in_once_whatever_its_spelling():
    user = make_user()
    codes = enable_mfa(user)
    spelled = f" {codes[0][:4].upper()}-{codes[0][4:]} "
    first = sign_in(user.email, otp=spelled)
    assert first.status_code == 200, first.content
    assert amr_of(first) == ["pwd", "otp"]
    again = sign_in(user.email, otp=codes[0])
    assert again.status_code == 400
    assert again.json()["code"] == "mfa_invalid"
    assert sign_in(user.email, otp=codes[1]).status_code == 200


@pytest.mark.parametrize(
    "otp",
    [
        "000000x",
        "12345",
        "1234567",
        "x" * 64,
        "-12345",
        "\uff11\uff12\uff13\uff14\uff15\uff16",
        "null",
    ],
)
def test_malformed_codes_are_wrong_codes(otp):
    user = make_user()
    enable_mfa(user)
    response = sign_in(user.email, otp=otp)
    assert response.status_code == 400
    assert response.json()["code"] == "mfa_invalid"


@pytest.mark.parametrize(
    "body",
    [
        {"otp": "1" * 65},
        {"otp": ["123456"]},
        {"otp": {"code": "123456"}},
        {"otp": "12\x003456"},
        {"email": "x" * 255},
        {"password": ["a"]},
    ],
)
def test_bad_sign_in_bodies_are_400(body):
    user = make_user()
    enable_mfa(user)
    response = APIClient().post(
        TOKEN, {"email": user.email, "password": PASSWORD, **body}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_set_up_twice_confirm_without_set_up_and_confirm_twice_are_409():
    user = make_user()
    api = client_for(user)
    early = api.post(CONFIRM, {"otp": "123456"})
    assert (early.status_code, early.json()["code"]) == (409, "mfa_setup_not_started")

    first_secret = api.post(TOTP).json()["secret"]
    # Starting again replaces the unconfirmed secret: only the new one confirms.
    second_secret = api.post(TOTP).json()["secret"]
    assert first_secret != second_secret
    assert api.post(CONFIRM, {"otp": totp_code(user)}).status_code == 200

    again = api.post(TOTP)
    assert (again.status_code, again.json()["code"]) == (409, "mfa_already_enabled")
    confirm_again = api.post(CONFIRM, {"otp": totp_code(user)})
    assert (confirm_again.status_code, confirm_again.json()["code"]) == (
        409,
        "mfa_already_enabled",
    )


def test_turning_it_off_needs_a_code():
    user = make_user()
    codes = enable_mfa(user)
    api = client_for(user)

    missing = api.delete(TOTP)
    assert missing.status_code == 400
    assert (missing.json()["code"], missing.json()["fields"]["otp"]) == (
        "invalid",
        ["This field is required."],
    )
    wrong = api.delete(TOTP, {"otp": wrong_totp_code(user)}, format="json")
    assert (wrong.status_code, wrong.json()["code"]) == (400, "mfa_invalid")
    assert sign_in(user.email).json()["code"] == "mfa_required"

    assert api.delete(TOTP, {"otp": codes[3]}, format="json").status_code == 204
    assert amr_of(sign_in(user.email)) == ["pwd"]
    again = api.delete(TOTP, {"otp": codes[4]}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "mfa_not_enabled")
    # Set up anew: the old recovery codes are gone.
    enable_mfa(user)
    assert sign_in(user.email, otp=codes[5]).json()["code"] == "mfa_invalid"


def test_turning_it_off_with_the_app_code():
    user = make_user()
    enable_mfa(user)
    api = client_for(user)
    assert api.delete(TOTP, {"otp": totp_code(user)}, format="json").status_code == 204


@pytest.mark.parametrize(("method", "path"), [("post", TOTP), ("delete", TOTP), ("post", CONFIRM)])
def test_mfa_endpoints_need_a_signed_in_user(method, path):
    response = getattr(APIClient(), method)(path, {"otp": "123456"}, format="json")
    assert response.status_code == 401


def test_repeated_wrong_codes_lock_the_account(settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = make_user()
    enable_mfa(user)
    for _ in range(2):
        assert sign_in(user.email, otp=wrong_totp_code(user)).json()["code"] == "mfa_invalid"
    locked = sign_in(user.email, otp=wrong_totp_code(user))
    assert locked.status_code == 429
    assert locked.json()["code"] == "account_locked"
    assert 0 < int(locked["Retry-After"]) <= settings.AXES_COOLOFF_TIME.total_seconds()
    # Locked means locked: the right password and code are refused too.
    right = sign_in(user.email, otp=totp_code(user))
    assert (right.status_code, right.json()["code"]) == (429, "account_locked")


def test_wrong_codes_to_turn_it_off_count_towards_the_lockout(settings):
    settings.AXES_FAILURE_LIMIT = 2
    user = make_user()
    codes = enable_mfa(user)
    api = client_for(user)
    assert api.delete(TOTP, {"otp": "abcdefgh"}, format="json").status_code == 400
    locked = api.delete(TOTP, {"otp": "abcdefgh"}, format="json")
    assert (locked.status_code, locked.json()["code"]) == (429, "account_locked")
    assert int(locked["Retry-After"]) > 0
    refused = api.delete(TOTP, {"otp": codes[0]}, format="json")
    assert refused.status_code == 429
    # The same lockout as signing in: the password alone is refused now too.
    assert sign_in(user.email).status_code == 429


def test_a_password_change_keeps_the_session_two_factor():
    user = make_user()
    enable_mfa(user)
    opened = sign_in(user.email, otp=totp_code(user)).json()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {opened['access']}")
    changed = api.post(
        "/api/v1/auth/password/change/",
        {"old_password": PASSWORD, "new_password": "another-Calm-River-8"},
    )
    assert changed.status_code == 200, changed.content
    assert amr_of(changed) == ["pwd", "otp"]
    rotated = APIClient().post(REFRESH, {"refresh": changed.json()["refresh"]})
    assert amr_of(rotated) == ["pwd", "otp"]
    again = APIClient().post(REFRESH, {"refresh": rotated.json()["refresh"]})
    assert amr_of(again) == ["pwd", "otp"]
