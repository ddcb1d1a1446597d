"""SSRF: with WEBHOOK_ALLOW_PRIVATE_NETWORKS=false only https URLs whose host resolves to
public addresses are accepted, at creation, on change, and again at every delivery, on
the very address the delivery connects to."""

import pytest

from tests.webhooks.conftest import PUBLIC_V4, PUBLIC_V6
from tests.webhooks.helpers import URL, deliveries, subscribe

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "127.1.2.3",
        "10.0.0.8",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "198.18.0.1",
        "[::1]",
        "[::]",
        "[::ffff:127.0.0.1]",  # IPv4-mapped loopback
        "[::ffff:10.0.0.1]",
        "[fe80::1]",
        "[fc00::1]",
        "[ff02::1]",
        "[2002:7f00:1::1]",  # 6to4 around 127.0.0.1
        "[64:ff9b::a00:1]",  # NAT64 around 10.0.0.1
        "localhost",  # a host name that resolves to loopback
    ],
)
def test_private_addresses_are_400(practitioner_api, public_only, host):
    response = practitioner_api.post(URL, {"url": f"https://{host}/hook"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "webhook_url_not_public"
    assert "url" in response.json()["fields"]


def test_a_name_resolving_to_loopback_is_refused(practitioner_api, public_only, names):
    names.add("hooks.rebind.example", ["127.0.0.1"])

    response = practitioner_api.post(
        URL, {"url": "https://hooks.rebind.example/hook"}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (400, "webhook_url_not_public")


def test_one_private_address_among_public_ones_is_refused(practitioner_api, public_only, names):
    names.add("mixed.example", [PUBLIC_V4, "10.1.2.3"])

    response = practitioner_api.post(URL, {"url": "https://mixed.example/hook"}, format="json")

    assert (response.status_code, response.json()["code"]) == (400, "webhook_url_not_public")


def test_public_names_and_addresses_are_accepted(practitioner_api, public_only, names):
    names.add("hooks.crm.example", [PUBLIC_V4, PUBLIC_V6])

    for url in (
        "https://hooks.crm.example/in",
        f"https://{PUBLIC_V4}:8443/in?source=stillpoint",
        f"https://[{PUBLIC_V6}]/in",
    ):
        assert subscribe(practitioner_api, url)["url"] == url


def test_http_is_400_when_private_networks_are_not_allowed(practitioner_api, public_only):
    response = practitioner_api.post(URL, {"url": f"http://{PUBLIC_V4}/hook"}, format="json")

    assert (response.status_code, response.json()["code"]) == (400, "webhook_url_not_https")


def test_an_unresolvable_host_is_400(practitioner_api, public_only):
    response = practitioner_api.post(URL, {"url": "https://nowhere.invalid/hook"}, format="json")

    assert (response.status_code, response.json()["code"]) == (400, "webhook_url_unresolvable")


def test_changing_the_url_is_checked_too(practitioner_api, public_only):
    created = subscribe(practitioner_api, f"https://{PUBLIC_V4}/hook")

    response = practitioner_api.patch(
        f"{URL}{created['id']}/", {"url": "https://10.0.0.1/hook"}, format="json"
    )

    assert (response.status_code, response.json()["code"]) == (400, "webhook_url_not_public")
    assert practitioner_api.get(f"{URL}{created['id']}/").json()["url"] == (
        f"https://{PUBLIC_V4}/hook"
    )


def test_private_networks_allowed_accepts_loopback_and_http(practitioner_api, private_networks):
    for url in ("http://127.0.0.1:8000/hook", "https://localhost/hook", "http://10.0.0.5/"):
        assert subscribe(practitioner_api, url)["url"] == url


def test_a_name_that_turns_private_after_creation_is_refused_at_delivery(
    practitioner_api, public_only, names, receiver, django_capture_on_commit_callbacks
):
    # Public when the subscription is saved, loopback (where the receiver is) afterwards:
    # the delivery checks the address it is about to connect to and does not send.
    names.add("hooks.rebind.example", [PUBLIC_V4], ["127.0.0.1"])
    created = subscribe(practitioner_api, f"https://hooks.rebind.example:{receiver.port}/hook")

    with django_capture_on_commit_callbacks(execute=True):
        assert practitioner_api.post(f"{URL}{created['id']}/test/").status_code == 202

    assert receiver.received == []
    (delivery,) = deliveries(practitioner_api, created["id"])
    assert delivery["status"] == "pending"  # retried later: DNS may be fixed
    (attempt,) = delivery["attempts"]
    assert attempt["status_code"] is None
    assert "webhook_url_not_public" in attempt["error"]
    assert names.lookups == ["hooks.rebind.example", "hooks.rebind.example"]


def test_a_subscription_made_while_allowed_is_refused_at_delivery_once_not(
    practitioner_api, settings, receiver, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    created = subscribe(practitioner_api, receiver.url())
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False

    with django_capture_on_commit_callbacks(execute=True):
        practitioner_api.post(f"{URL}{created['id']}/test/")

    assert receiver.received == []
    (attempt,) = deliveries(practitioner_api, created["id"])[0]["attempts"]
    assert "webhook_url_not_https" in attempt["error"]
