"""Deliveries to a real receiver on 127.0.0.1: signed per Standard Webhooks (verified with
the `standardwebhooks` library), retried after failures, disabled on 410 Gone or after
days of failures, logged per attempt, redelivered with the same webhook-id."""

from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from outbox.models import OutboxMessage
from tests.ports import closed_port
from tests.webhooks.helpers import URL, body_of, deliveries, subscribe, verified
from webhooks.models import WebhookSubscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscription(practitioner_api, private_networks, receiver):
    return subscribe(practitioner_api, receiver.url())


def _send_test(api, subscription, capture):
    with capture(execute=True):
        response = api.post(f"{URL}{subscription['id']}/test/")
    assert response.status_code == 202, response.content
    return response.json()


def test_test_event_arrives_signed_and_verifiable(
    practitioner_api, subscription, receiver, django_capture_on_commit_callbacks
):
    accepted = _send_test(practitioner_api, subscription, django_capture_on_commit_callbacks)

    (request,) = receiver.received
    event = Webhook(subscription["secret"]).verify(request.body, request.headers)
    assert set(event) == {"type", "id", "created", "data"}
    assert event["type"] == "webhook.test"
    assert event["data"] == {"subscription_id": subscription["id"]}
    assert request.headers["webhook-id"] == accepted["webhook_id"] == accepted["id"]
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-signature"].startswith("v1,")
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "QUJD" * 8).verify(request.body, request.headers)

    (delivery,) = deliveries(practitioner_api, subscription["id"])
    assert delivery["status"] == "sent" and delivery["delivered_at"]
    assert (delivery["event_type"], delivery["event_id"]) == ("webhook.test", event["id"])
    assert delivery["event"] == event
    (attempt,) = delivery["attempts"]
    assert (attempt["status_code"], attempt["response_body"], attempt["error"]) == (200, "ok", "")


def test_rotated_secret_signs_from_then_on(
    practitioner_api, subscription, receiver, django_capture_on_commit_callbacks
):
    new_secret = practitioner_api.post(f"{URL}{subscription['id']}/rotate-secret/").json()["secret"]

    _send_test(practitioner_api, subscription, django_capture_on_commit_callbacks)

    (request,) = receiver.received
    assert verified(request, new_secret)["type"] == "webhook.test"
    with pytest.raises(WebhookVerificationError):
        verified(request, subscription["secret"])


def test_5xx_is_retried_until_delivered_with_the_same_id_and_body(
    practitioner_api, subscription, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_RETRY_SCHEDULE_SECONDS = [0]  # due again at once: one run retries
    receiver.statuses.extend([500, 503])

    _send_test(practitioner_api, subscription, django_capture_on_commit_callbacks)

    assert len(receiver.received) == 3
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
    assert len({r.body for r in receiver.received}) == 1
    for request in receiver.received:
        verified(request, subscription["secret"])
    (delivery,) = deliveries(practitioner_api, subscription["id"])
    assert (delivery["status"], delivery["attempt_count"]) == ("sent", 3)
    assert [a["status_code"] for a in delivery["attempts"]] == [500, 503, 200]
    detail = practitioner_api.get(f"{URL}{subscription['id']}/").json()
    assert detail["failing_since"] is None  # the success ended the failing spell


def test_first_retry_is_about_five_seconds_later(
    practitioner_api, subscription, receiver, django_capture_on_commit_callbacks
):
    receiver.default_status = 500

    before = timezone.now()
    _send_test(practitioner_api, subscription, django_capture_on_commit_callbacks)

    (delivery,) = deliveries(practitioner_api, subscription["id"])
    assert (delivery["status"], delivery["attempt_count"]) == ("pending", 1)
    wait = (
        timezone.datetime.fromisoformat(delivery["next_attempt_at"].replace("Z", "+00:00")) - before
    )
    assert timedelta(seconds=4) <= wait <= timedelta(seconds=6)
    assert delivery["last_error"] == "HTTP 500"
    detail = practitioner_api.get(f"{URL}{subscription['id']}/").json()
    assert detail["failing_since"] is not None and detail["is_active"] is True


def test_other_4xx_are_retried(
    practitioner_api, subscription, receiver, django_capture_on_commit_callbacks
):
    receiver.default_status = 404

    _send_test(practitioner_api, subscription, django_capture_on_commit_callbacks)

    (delivery,) = deliveries(practitioner_api, subscription["id"])
    assert (delivery["status"], delivery["attempts"][0]["status_code"]) == ("pending", 404)


def test_410_gone_disables_the_subscription_and_mails_the_owner(
    practitioner_api,
    practitioner_user,
    subscription,
    receiver,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    receiver.statuses.append(410)

    _send_test(practitioner_api, subscription, django_capture_on_commit_callbacks)

    detail = practitioner_api.get(f"{URL}{subscription['id']}/").json()
    assert (detail["is_active"], detail["disabled_reason"]) == (False, "endpoint_gone")
    (delivery,) = deliveries(practitioner_api, subscription["id"])
    assert delivery["status"] == "failed"
    (mail,) = mailoutbox
    assert mail.to == [practitioner_user.email]
    assert subscription["url"] in mail.body and "410" in mail.body
    refused = practitioner_api.post(f"{URL}{subscription['id']}/test/")
    assert (refused.status_code, refused.json()["code"]) == (409, "webhook_disabled")
    assert len(receiver.received) == 1


def _failing_since(subscription, days):
    # A spell of failures that began `days` ago: a state the clock cannot reach in a test.
    WebhookSubscription.objects.filter(pk=subscription["id"]).update(
        failing_since=timezone.now() - timedelta(days=days)
    )


def test_ten_days_of_failures_disable_and_mail_the_owner(
    practitioner_api,
    practitioner_user,
    subscription,
    receiver,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    receiver.default_status = 502
    _failing_since(subscription, days=10)

    _send_test(practitioner_api, subscription, django_capture_on_commit_callbacks)

    detail = practitioner_api.get(f"{URL}{subscription['id']}/").json()
    assert (detail["is_active"], detail["disabled_reason"]) == (False, "failing")
    (delivery,) = deliveries(practitioner_api, subscription["id"])
    assert delivery["status"] == "failed"
    (mail,) = mailoutbox
    assert mail.to == [practitioner_user.email] and "10 days" in mail.body

    enabled = practitioner_api.patch(
        f"{URL}{subscription['id']}/", {"is_active": True}, format="json"
    ).json()
    assert (enabled["is_active"], enabled["failing_since"]) == (True, None)


def test_nine_days_of_failures_keep_retrying(
    practitioner_api, subscription, receiver, mailoutbox, django_capture_on_commit_callbacks
):
    receiver.default_status = 502
    _failing_since(subscription, days=9)

    _send_test(practitioner_api, subscription, django_capture_on_commit_callbacks)

    assert practitioner_api.get(f"{URL}{subscription['id']}/").json()["is_active"] is True
    assert deliveries(practitioner_api, subscription["id"])[0]["status"] == "pending"
    assert mailoutbox == []


def test_a_success_ends_a_failing_spell(
    practitioner_api, subscription, receiver, django_capture_on_commit_callbacks
):
    _failing_since(subscription, days=9)

    _send_test(practitioner_api, subscription, django_capture_on_commit_callbacks)

    assert practitioner_api.get(f"{URL}{subscription['id']}/").json()["failing_since"] is None


def test_redelivery_keeps_the_webhook_id_and_body(
    practitioner_api, subscription, receiver, django_capture_on_commit_callbacks
):
    first = _send_test(practitioner_api, subscription, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        response = practitioner_api.post(
            f"{URL}{subscription['id']}/deliveries/{first['id']}/redeliver/"
        )

    assert response.status_code == 202
    again = response.json()
    assert again["id"] != first["id"] and again["webhook_id"] == first["webhook_id"]
    original, repeat = receiver.received
    assert repeat.headers["webhook-id"] == original.headers["webhook-id"] == first["id"]
    assert repeat.body == original.body
    assert verified(repeat, subscription["secret"]) == verified(original, subscription["secret"])
    assert [d["webhook_id"] for d in deliveries(practitioner_api, subscription["id"])] == [
        first["id"],
        first["id"],
    ]
    unknown = practitioner_api.post(
        f"{URL}{subscription['id']}/deliveries/{subscription['id']}/redeliver/"
    )
    assert (unknown.status_code, unknown.json()["code"]) == (404, "webhook_delivery_not_found")


def test_a_long_answer_is_logged_truncated(
    practitioner_api, subscription, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_RETRY_SCHEDULE_SECONDS = [3600]
    receiver.default_status = 500
    receiver.answer_body = "é".encode() * 3000

    _send_test(practitioner_api, subscription, django_capture_on_commit_callbacks)

    (attempt,) = deliveries(practitioner_api, subscription["id"])[0]["attempts"]
    assert attempt["status_code"] == 500
    assert len(attempt["response_body"].encode()) <= 1024 + 3
    assert attempt["response_body"].startswith("é" * 500)


def test_a_receiver_slower_than_the_timeout_is_retried(
    practitioner_api, subscription, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    receiver.delay_seconds = 1.0

    _send_test(practitioner_api, subscription, django_capture_on_commit_callbacks)

    (delivery,) = deliveries(practitioner_api, subscription["id"])
    assert delivery["status"] == "pending"
    (attempt,) = delivery["attempts"]
    assert attempt["status_code"] is None and "timed out" in attempt["error"]
    assert attempt["duration_ms"] < 1000


def test_a_closed_port_is_a_connection_error_retried(
    practitioner_api, private_networks, django_capture_on_commit_callbacks
):
    created = subscribe(practitioner_api, f"http://127.0.0.1:{closed_port()}/hook")

    _send_test(practitioner_api, created, django_capture_on_commit_callbacks)

    (delivery,) = deliveries(practitioner_api, created["id"])
    assert delivery["status"] == "pending"
    assert "connection failed" in delivery["attempts"][0]["error"]


def test_deleting_withdraws_pending_deliveries(
    practitioner_api, subscription, receiver, django_capture_on_commit_callbacks
):
    receiver.default_status = 500
    _send_test(practitioner_api, subscription, django_capture_on_commit_callbacks)

    assert practitioner_api.delete(f"{URL}{subscription['id']}/").status_code == 204

    (message,) = OutboxMessage.objects.filter(channel="webhook")
    assert message.status == "cancelled"


def test_deliveries_are_paginated_newest_first(
    practitioner_api, subscription, receiver, django_capture_on_commit_callbacks
):
    sent = [
        _send_test(practitioner_api, subscription, django_capture_on_commit_callbacks)["id"]
        for _ in range(3)
    ]

    page = practitioner_api.get(f"{URL}{subscription['id']}/deliveries/", {"page_size": 2}).json()

    assert page["count"] == 3 and page["next"]
    assert [d["id"] for d in page["results"]] == sent[::-1][:2]
    assert body_of(receiver.received[0])["type"] == "webhook.test"
