"""Per-account lockout: wrong passwords and codes, on the API and in the admin, count
together; a locked account is refused with Retry-After until the cool-off passes or an
admin unlocks it."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import F
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import (
    PASSWORD,
    admin_client_for,
    enable_mfa,
    make_staff,
    make_user,
    totp_code,
    wrong_totp_code,
)

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
ADMIN_LOGIN = "/admin/login/"
ATTEMPTS = "/admin/axes/accessattempt/"


def sign_in(email, password=PASSWORD, **headers):
    return APIClient().post(TOKEN, {"email": email, "password": password}, **headers)


def admin_login(browser, email, password=PASSWORD, code=""):
    return browser.post(ADMIN_LOGIN, {"username": email, "password": password, "otp_token": code})


@pytest.fixture
def limit_3(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return settings


def test_the_third_wrong_password_locks_the_account(limit_3):
    user = make_user()
    other = make_user()
    for _ in range(2):
        assert sign_in(user.email, "wrong-password").json()["code"] == "no_active_account"
    locked = sign_in(user.email, "wrong-password")
    assert locked.status_code == 429
    assert locked.json()["code"] == "account_locked"
    assert 890 <= int(locked["Retry-After"]) <= 900  # AXES_COOLOFF_MINUTES=15
    right = sign_in(user.email)
    assert (right.status_code, right.json()["code"]) == (429, "account_locked")
    # Per account: someone else signs in as usual.
    assert sign_in(other.email).status_code == 200


def test_case_and_forged_addresses_do_not_make_a_new_account(limit_3):
    user = make_user(email="lena@example.org")
    for n, spelling in enumerate(["lena@example.org", "LENA@example.org", " Lena@Example.org"]):
        sign_in(spelling, "wrong-password", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    response = sign_in(user.email, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 429


def test_refusals_during_a_lockout_do_not_extend_it(limit_3):
    user = make_user()
    for _ in range(3):
        sign_in(user.email, "wrong-password")
    first = int(sign_in(user.email, "wrong-password")["Retry-After"])
    for _ in range(5):
        sign_in(user.email, "wrong-password")
    assert int(sign_in(user.email)["Retry-After"]) <= first
    assert AccessAttempt.objects.get().failures_since_start == 3


def test_the_lockout_ends_after_the_cool_off(limit_3):
    user = make_user()
    for _ in range(3):
        sign_in(user.email, "wrong-password")
    assert sign_in(user.email).status_code == 429
    # The clock moves on by the cool-off (15 minutes) since the last failure.
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=15))
    assert sign_in(user.email).status_code == 200


def test_unknown_accounts_are_counted_too(limit_3):
    for _ in range(3):
        last = sign_in("nobody@example.org", "x")
    assert (last.status_code, last.json()["code"]) == (429, "account_locked")


# --- the admin -----------------------------------------------------------------------


def test_thirty_wrong_admin_logins_are_locked_out():
    staff = make_staff()
    browser = Client()
    statuses = [
        admin_login(browser, staff.email, "wrong-password", totp_code(staff)).status_code
        for _ in range(30)
    ]
    # AXES_FAILURE_LIMIT=10: the tenth failure locks, every later try is refused.
    assert statuses[:9] == [200] * 9
    assert statuses[9:] == [403] * 21
    locked = admin_login(browser, staff.email, PASSWORD, totp_code(staff))
    assert locked.status_code == 403
    assert b"Account locked" in locked.content
    assert 0 < int(locked["Retry-After"]) <= 900
    # The API's door is the same account's: closed too.
    assert sign_in(staff.email).status_code == 429


def test_an_admin_unlocks_through_the_admin(limit_3, admin_client):
    staff = make_staff()
    for _ in range(3):
        admin_login(Client(), staff.email, "wrong-password")
    assert admin_login(Client(), staff.email, PASSWORD, totp_code(staff)).status_code == 403

    listing = admin_client.get(ATTEMPTS)
    assert listing.status_code == 200
    assert staff.email in listing.content.decode()
    assert "Locked Out" in listing.content.decode()
    attempt = AccessAttempt.objects.get(username=staff.email)
    done = admin_client.post(
        ATTEMPTS, {"action": "unlock", ACTION_CHECKBOX_NAME: [attempt.pk]}, follow=True
    )
    assert done.status_code == 200
    assert "Unlocked 1 account(s)" in done.content.decode()
    assert not AccessAttempt.objects.filter(username=staff.email).exists()

    assert admin_client_for(staff).get("/admin/").status_code == 200
    # Where an admin removes a lost authenticator.
    assert admin_client.get("/admin/otp_totp/totpdevice/").status_code == 200


def test_wrong_admin_codes_count_towards_the_lockout(limit_3):
    staff = make_staff()
    browser = Client()
    wrong = admin_login(browser, staff.email, PASSWORD, wrong_totp_code(staff))
    assert wrong.status_code == 200
    assert "wrong or was already used" in wrong.content.decode()
    sign_in(staff.email, "wrong-password")  # the API's failures count in the same place
    assert admin_login(browser, staff.email, PASSWORD, wrong_totp_code(staff)).status_code == 403
    assert admin_login(browser, staff.email, PASSWORD, totp_code(staff)).status_code == 403


def test_the_admin_asks_for_a_code_and_tells_staff_without_one_to_set_it_up():
    staff = make_staff(mfa=False)
    page = admin_login(Client(), staff.email, PASSWORD)
    assert page.status_code == 200
    assert "POST /api/v1/auth/mfa/totp/" in page.content.decode()

    enable_mfa(staff)
    browser = Client()
    missing = admin_login(browser, staff.email, PASSWORD)
    assert "Enter the code from your authenticator app" in missing.content.decode()
    assert browser.get("/admin/").status_code == 302
    assert admin_login(browser, staff.email, PASSWORD, totp_code(staff)).status_code == 302
    assert browser.get("/admin/").status_code == 200


def test_a_session_without_a_second_factor_is_not_an_admin_session():
    staff = make_staff()
    browser = Client()
    browser.force_login(staff)  # the password alone, as before two-factor admin
    assert browser.get("/admin/").status_code == 302
