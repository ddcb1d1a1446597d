"""Helpers for payments tests: signed events, waiting on webhooks, paying like Stripe.js."""

import hashlib
import hmac
import json
import time

WEBHOOK_SECRET = "whsec_test_stillpoint"
SECRET_KEY = "sk_test_stillpoint"
WEBHOOK_PATH = "/api/v1/payments/stripe/webhook/"


def sign(payload: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = b"%d.%s" % (timestamp, payload)
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def post_event(api_client, event: dict, **sign_kwargs):
    payload = json.dumps(event).encode()
    return api_client.post(
        WEBHOOK_PATH,
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(payload, **sign_kwargs),
    )


def make_event(event_type: str, obj: dict, *, event_id: str | None = None) -> dict:
    return {
        "id": event_id or f"evt_test_{time.monotonic_ns()}",
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "api_version": "2024-06-20",
        "data": {"object": obj},
    }


def intent_succeeded_event(intent, *, booking_id: str) -> dict:
    """The signed-event body Stripe sends once `intent` (a localstripe PaymentIntent the client
    paid) has succeeded for the booking."""
    return make_event(
        "payment_intent.succeeded",
        {
            "id": intent.id,
            "object": "payment_intent",
            "amount": intent.amount,
            "currency": intent.currency,
            "metadata": {"booking_id": booking_id},
            "status": "succeeded",
        },
    )


def wait_for(predicate, *, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def pay(client, payment_intent_id: str, payment_method: str = "pm_card_visa"):
    """What Stripe.js does for the client: attach a method and confirm.

    localstripe rejects `confirm(payment_method=...)`, so the method is set first.
    """
    client.v1.payment_intents.update(payment_intent_id, params={"payment_method": payment_method})
    return client.v1.payment_intents.confirm(payment_intent_id)
