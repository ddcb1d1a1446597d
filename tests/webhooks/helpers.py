"""Calls the webhook tests share: the endpoints, and verifying what the receiver got."""

import json

from standardwebhooks import Webhook

URL = "/api/v1/me/webhooks/"


def subscribe(api, url: str, **fields) -> dict:
    response = api.post(URL, {"url": url, **fields}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def deliveries(api, subscription_id) -> list[dict]:
    response = api.get(f"{URL}{subscription_id}/deliveries/")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def verified(received, secret: str) -> dict:
    """The event of one received request, after the signature checks out."""
    return Webhook(secret).verify(received.body, received.headers)


def event_types(received_list, secret: str) -> list[str]:
    return [verified(request, secret)["type"] for request in received_list]


def body_of(received) -> dict:
    return json.loads(received.body)
