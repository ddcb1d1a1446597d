"""The client address throttles and the lockout count by: X-Forwarded-For is trusted only
as far as NUM_PROXIES says (default: not at all)."""

import pytest
from axes.models import AccessAttempt
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"


def wrong_login(n, **headers):
    return APIClient().post(
        TOKEN, {"email": f"nobody{n}@example.org", "password": "wrong"}, **headers
    )


def test_a_forged_forwarded_for_does_not_evade_the_throttle(settings):
    settings.THROTTLE_RATES = "auth=10/min"
    codes = [
        wrong_login(n, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").json()["code"] for n in range(40)
    ]
    assert codes[:10] == ["no_active_account"] * 10
    assert codes[10:] == ["throttled"] * 30


def test_behind_one_proxy_the_address_it_saw_is_the_client(settings):
    settings.THROTTLE_RATES = "auth=3/min"
    settings.NUM_PROXIES = 1
    # What the client wrote (left) changes; what the proxy appended (right) does not.
    codes = [
        wrong_login(n, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.5").json()["code"]
        for n in range(5)
    ]
    assert codes == ["no_active_account"] * 3 + ["throttled"] * 2
    # Another client behind the same proxy has its own count.
    other = wrong_login(9, HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert other.json()["code"] == "no_active_account"


def test_the_lockout_records_the_same_address(settings):
    settings.NUM_PROXIES = 1
    wrong_login(1, HTTP_X_FORWARDED_FOR="10.1.1.1, 203.0.113.5")
    wrong_login(2, HTTP_X_FORWARDED_FOR="198.51.100.1")
    settings.NUM_PROXIES = 0
    wrong_login(3, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert dict(AccessAttempt.objects.values_list("username", "ip_address")) == {
        "nobody1@example.org": "203.0.113.5",
        "nobody2@example.org": "198.51.100.1",
        "nobody3@example.org": "127.0.0.1",
    }


@pytest.mark.parametrize("forwarded", ["not-an-address", "", " , ", "1.2.3.4.5", "::zz"])
def test_a_garbled_forwarded_for_falls_back_to_the_peer(settings, forwarded):
    settings.NUM_PROXIES = 1
    response = wrong_login(1, HTTP_X_FORWARDED_FOR=forwarded)
    assert response.status_code == 401
    assert AccessAttempt.objects.get().ip_address == "127.0.0.1"
