"""/api/v1/me/webhooks/: who may subscribe, the secret shown once, create, list, change,
delete, rotate, and every refusal with its code."""

import pytest

from tests.factories import client_for, make_user
from tests.webhooks.conftest import PUBLIC_V4
from tests.webhooks.helpers import URL, subscribe
from webhooks.models import WebhookSubscription

pytestmark = pytest.mark.django_db

PUBLIC_URL = f"https://{PUBLIC_V4}/hooks/stillpoint"


def test_practitioner_creates_lists_reads_changes_and_deletes(practitioner_api, public_only):
    created = subscribe(
        practitioner_api,
        PUBLIC_URL,
        description="CRM",
        event_types=["booking.created", "booking.cancelled"],
    )

    assert created["secret"].startswith("whsec_")
    assert created["url"] == PUBLIC_URL
    assert created["event_types"] == ["booking.created", "booking.cancelled"]
    assert (created["is_active"], created["disabled_reason"]) == (True, "")
    listed = practitioner_api.get(URL).json()
    assert listed["count"] == 1
    assert "secret" not in listed["results"][0]
    detail = practitioner_api.get(f"{URL}{created['id']}/").json()
    assert "secret" not in detail and detail["description"] == "CRM"

    changed = practitioner_api.patch(
        f"{URL}{created['id']}/", {"event_types": [], "description": "all events"}, format="json"
    )
    assert changed.status_code == 200
    assert (changed.json()["event_types"], changed.json()["url"]) == ([], PUBLIC_URL)
    assert "secret" not in changed.json()

    assert practitioner_api.delete(f"{URL}{created['id']}/").status_code == 204
    assert practitioner_api.get(f"{URL}{created['id']}/").status_code == 404
    assert practitioner_api.get(URL).json()["count"] == 0


def test_rotating_gives_a_new_secret_shown_once(practitioner_api, public_only):
    created = subscribe(practitioner_api, PUBLIC_URL)

    rotated = practitioner_api.post(f"{URL}{created['id']}/rotate-secret/")

    assert rotated.status_code == 200
    assert rotated.json()["secret"].startswith("whsec_")
    assert rotated.json()["secret"] != created["secret"]
    assert "secret" not in practitioner_api.get(f"{URL}{created['id']}/").json()


def test_pausing_and_enabling(practitioner_api, public_only):
    created = subscribe(practitioner_api, PUBLIC_URL)
    path = f"{URL}{created['id']}/"

    paused = practitioner_api.patch(path, {"is_active": False}, format="json").json()
    assert (paused["is_active"], paused["disabled_reason"]) == (False, "paused")
    assert practitioner_api.post(f"{path}test/").json()["code"] == "webhook_disabled"

    enabled = practitioner_api.patch(path, {"is_active": True}, format="json").json()
    assert (enabled["is_active"], enabled["disabled_reason"]) == (True, "")


def test_staff_may_subscribe(staff_api, public_only):
    assert subscribe(staff_api, PUBLIC_URL)["is_active"] is True


def test_clients_get_403_with_a_code(client_api):
    for response in (
        client_api.get(URL),
        client_api.post(URL, {"url": PUBLIC_URL}, format="json"),
    ):
        assert response.status_code == 403
        assert response.json()["code"] == "webhooks_not_allowed"


def test_anonymous_gets_401(anonymous_api):
    assert anonymous_api.get(URL).status_code == 401


def test_someone_elses_subscription_is_404(practitioner_api, public_only):
    created = subscribe(practitioner_api, PUBLIC_URL)
    other_api = client_for(make_user(role="practitioner"))
    for response in (
        other_api.get(f"{URL}{created['id']}/"),
        other_api.patch(f"{URL}{created['id']}/", {"description": "x"}, format="json"),
        other_api.delete(f"{URL}{created['id']}/"),
        other_api.post(f"{URL}{created['id']}/rotate-secret/"),
        other_api.post(f"{URL}{created['id']}/test/"),
        other_api.get(f"{URL}{created['id']}/deliveries/"),
    ):
        assert (response.status_code, response.json()["code"]) == (404, "webhook_not_found")
    assert practitioner_api.get(f"{URL}{created['id']}/").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "",
        "not a url",
        "hooks.example.org/path",
        "ftp://93.184.215.14/file",
        "https://",
        "https://user:password@93.184.215.14/hook",
        "https://93.184.215.14:99999/hook",
        "javascript:alert(1)",
    ],
)
def test_not_a_url_is_400_invalid_webhook_url(practitioner_api, public_only, url):
    response = practitioner_api.post(URL, {"url": url}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_webhook_url"
    assert "url" in response.json()["fields"]


def test_unknown_event_types_are_400(practitioner_api, public_only):
    response = practitioner_api.post(
        URL, {"url": PUBLIC_URL, "event_types": ["booking.created", "booking.exploded"]}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_event_type"
    assert "booking.exploded" in response.json()["fields"]["event_types"][0]
    created = subscribe(practitioner_api, PUBLIC_URL)
    patched = practitioner_api.patch(
        f"{URL}{created['id']}/", {"event_types": ["webhook.test"]}, format="json"
    )
    assert (patched.status_code, patched.json()["code"]) == (400, "unknown_event_type")


def test_more_than_twenty_subscriptions_is_400(practitioner_api, public_only):
    for n in range(20):
        subscribe(practitioner_api, f"{PUBLIC_URL}/{n}")

    response = practitioner_api.post(URL, {"url": PUBLIC_URL}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "too_many_webhooks"
    assert practitioner_api.get(URL).json()["count"] == 20


def test_list_is_paginated(practitioner_api, public_only):
    for n in range(3):
        subscribe(practitioner_api, f"{PUBLIC_URL}/{n}")

    page = practitioner_api.get(URL, {"page_size": 2}).json()

    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
    assert practitioner_api.get(URL, {"page": "x"}).status_code == 400


def test_deleting_the_account_stops_its_subscriptions(practitioner_api, public_only):
    created = subscribe(practitioner_api, PUBLIC_URL)

    assert practitioner_api.delete("/api/v1/me/").status_code == 204

    subscription = WebhookSubscription.objects.get(pk=created["id"])
    assert (subscription.is_active, subscription.disabled_reason) == (False, "account_deleted")
