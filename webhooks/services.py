"""Writes: subscriptions, publishing events, test events and redeliveries.

An event becomes one outbox message per subscription that receives it (channel
"webhook"), written in the caller's transaction. The message's payload holds the
subscription id, the webhook id (the message's own id, or the original's for a
redelivery) and the event's JSON body, fixed when it was published: every attempt and
every redelivery sends the very same bytes.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from outbox.email import email_enqueue
from outbox.models import OutboxMessage
from outbox.services import message_enqueue, messages_cancel
from webhooks import addresses, signing
from webhooks.errors import TooManyWebhooks, UnknownEventType, WebhookDisabled, WebhooksNotAllowed
from webhooks.events import EVENT_TYPES, TEST_EVENT
from webhooks.models import DisabledReason, WebhookSubscription
from webhooks.selectors import CHANNEL, may_subscribe, subscriptions_receiving


def _clean_event_types(event_types: Iterable[str]) -> list[str]:
    unknown = sorted({name for name in event_types if name not in EVENT_TYPES})
    if unknown:
        raise UnknownEventType(
            f"Unknown event type(s): {', '.join(unknown)}. Known: {', '.join(EVENT_TYPES)}."
        )
    return list(dict.fromkeys(event_types))  # in the given order, without repeats


def subscription_create(
    *, owner: User, url: str, event_types: Iterable[str] = (), description: str = ""
) -> WebhookSubscription:
    """A new active subscription with a fresh secret; its URL is checked (SSRF) first."""
    if not may_subscribe(owner):
        raise WebhooksNotAllowed()
    url = url.strip()
    addresses.check_url(url)  # resolves the host: outside the transaction
    event_types = _clean_event_types(event_types)
    with transaction.atomic(durable=True):
        # The owner's row serialises two creations racing for the last free place.
        User.objects.select_for_update().filter(pk=owner.pk).first()
        if WebhookSubscription.objects.filter(owner=owner).count() >= (
            settings.WEBHOOK_MAX_SUBSCRIPTIONS
        ):
            raise TooManyWebhooks(
                f"At most {settings.WEBHOOK_MAX_SUBSCRIPTIONS} webhook subscriptions per "
                "account; delete one first."
            )
        return WebhookSubscription.objects.create(
            owner=owner,
            url=url,
            description=description,
            event_types=event_types,
            secret=signing.new_secret(),
        )


def subscription_update(*, subscription: WebhookSubscription, **fields) -> WebhookSubscription:
    """Change url, description, event_types or is_active. `is_active: true` enables a
    disabled subscription afresh; `false` pauses it and withdraws its pending deliveries."""
    if "url" in fields:
        fields["url"] = fields["url"].strip()
        addresses.check_url(fields["url"])
    if "event_types" in fields:
        fields["event_types"] = _clean_event_types(fields["event_types"])
    with transaction.atomic(durable=True):
        subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        active = fields.pop("is_active", None)
        for name, value in fields.items():
            setattr(subscription, name, value)
        if active is True and not subscription.is_active:
            subscription.is_active = True
            subscription.disabled_reason = DisabledReason.ACTIVE
            subscription.failing_since = None
        elif active is False and subscription.is_active:
            _disable(subscription, DisabledReason.PAUSED)
        subscription.save()
    return subscription


def subscription_delete(*, subscription: WebhookSubscription) -> None:
    """Delete it with its attempt log; its pending deliveries are withdrawn."""
    with transaction.atomic(durable=True):
        _withdraw_pending(subscription)
        subscription.delete()


def subscription_rotate_secret(*, subscription: WebhookSubscription) -> WebhookSubscription:
    """A new secret signs every attempt from now on, retries of older events included."""
    with transaction.atomic(durable=True):
        subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        subscription.secret = signing.new_secret()
        subscription.save(update_fields=["secret", "updated_at"])
    return subscription


def subscriptions_retire_for_account(*, user: User) -> int:
    """The owner deleted the account: every subscription stops (the rows stay)."""
    retired = 0
    for subscription in WebhookSubscription.objects.select_for_update().filter(
        owner=user, is_active=True
    ):
        _disable(subscription, DisabledReason.ACCOUNT_DELETED)
        subscription.save(update_fields=["is_active", "disabled_reason", "updated_at"])
        retired += 1
    return retired


def subscription_disable(
    *, subscription: WebhookSubscription, reason: str, why: str
) -> WebhookSubscription:
    """The delivery worker gives up on an endpoint (410 Gone, days of failures): disable
    the subscription, withdraw its pending deliveries and e-mail its owner."""
    with transaction.atomic(durable=True):
        locked = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        if locked.is_active:
            _disable(locked, reason)
            locked.save(update_fields=["is_active", "disabled_reason", "updated_at"])
            _tell_owner_disabled(locked, why)
    return locked


def _tell_owner_disabled(subscription: WebhookSubscription, why: str) -> None:
    owner = subscription.owner
    if not owner.email:
        return
    email_enqueue(
        to=owner.email,
        subject="Your webhook endpoint was disabled",
        body=(
            f"Hello {owner.name or owner.email},\n\n"
            f"We stopped sending events to your webhook endpoint\n{subscription.url}\n"
            f"because {why}.\n\n"
            "Events from now on are not sent to it. Once the endpoint works again, enable "
            f"it with PATCH /api/v1/me/webhooks/{subscription.pk}/ and "
            '{"is_active": true}; then redeliver what you missed from its deliveries.\n'
        ),
    )


def _disable(subscription: WebhookSubscription, reason: str) -> None:
    """Mark it disabled (the caller saves) and withdraw the deliveries not yet sent."""
    subscription.is_active = False
    subscription.disabled_reason = reason
    _withdraw_pending(subscription)


def _withdraw_pending(subscription: WebhookSubscription) -> int:
    return messages_cancel(dedupe_key_prefix=_dedupe_prefix(subscription))


def _dedupe_prefix(subscription: WebhookSubscription) -> str:
    # Every delivery's key starts with its subscription: pending ones can be withdrawn.
    return f"webhook:{subscription.pk}:"


# --- Events -------------------------------------------------------------------------


def event_body(*, event_type: str, data: dict) -> tuple[str, str]:
    """(event id, JSON body) of a new event: {"type", "id", "created", "data"}."""
    event_id = f"evt_{uuid.uuid4().hex}"
    created = timezone.now().isoformat().replace("+00:00", "Z")
    event = {"type": event_type, "id": event_id, "created": created, "data": data}
    return event_id, json.dumps(event, cls=DjangoJSONEncoder, separators=(",", ":"))


def event_publish(*, type: str, data: dict, owner_user_ids: Iterable) -> list[OutboxMessage]:
    """Publish an event to the active subscriptions of its owners and of staff that take
    this type: one delivery each, written in the caller's transaction (sent after commit).

    `data` is the changed object as the API shows it to its owner.
    """
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {type!r}")
    subscriptions = subscriptions_receiving(event_type=type, owner_user_ids=owner_user_ids)
    if not subscriptions:
        return []
    event_id, body = event_body(event_type=type, data=data)
    return [
        _delivery_enqueue(subscription=s, event_type=type, event_id=event_id, body=body)
        for s in subscriptions
    ]


def _delivery_enqueue(
    *,
    subscription: WebhookSubscription,
    event_type: str,
    event_id: str,
    body: str,
    webhook_id: str | None = None,
) -> OutboxMessage:
    return message_enqueue(
        channel=CHANNEL,
        recipient=str(subscription.pk),
        payload={
            "subscription_id": str(subscription.pk),
            # None: the delivery's own id; a redelivery names the original's.
            "webhook_id": webhook_id,
            "event_type": event_type,
            "event_id": event_id,
            "body": body,
        },
        dedupe_key=f"{_dedupe_prefix(subscription)}{uuid.uuid4().hex}",
    )


def webhook_id_of(delivery: OutboxMessage) -> str:
    return delivery.payload.get("webhook_id") or str(delivery.pk)


def webhook_send_test(*, subscription: WebhookSubscription) -> OutboxMessage:
    """A `webhook.test` event to this subscription alone, whatever types it takes."""
    if not subscription.is_active:
        raise WebhookDisabled()
    event_id, body = event_body(
        event_type=TEST_EVENT, data={"subscription_id": str(subscription.pk)}
    )
    with transaction.atomic(durable=True):
        return _delivery_enqueue(
            subscription=subscription, event_type=TEST_EVENT, event_id=event_id, body=body
        )


def delivery_redeliver(
    *, subscription: WebhookSubscription, delivery: OutboxMessage
) -> OutboxMessage:
    """Send a delivery's event again as a new delivery with the same webhook-id and body,
    so that a receiver that already has it can recognise the repeat."""
    if not subscription.is_active:
        raise WebhookDisabled()
    payload = delivery.payload
    with transaction.atomic(durable=True):
        return _delivery_enqueue(
            subscription=subscription,
            event_type=payload["event_type"],
            event_id=payload["event_id"],
            body=payload["body"],
            webhook_id=webhook_id_of(delivery),
        )
