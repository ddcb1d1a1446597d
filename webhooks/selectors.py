"""Reads: a user's subscriptions, the subscriptions an event goes to, deliveries."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet

from accounts.models import User
from outbox.models import OutboxMessage
from webhooks.errors import WebhookDeliveryNotFound, WebhookNotFound
from webhooks.models import WebhookDeliveryAttempt, WebhookSubscription

CHANNEL = "webhook"


def may_subscribe(user: User) -> bool:
    """Practitioners (their own bookings, payments, reviews) and staff (everything)."""
    return bool(user.is_authenticated and (user.is_staff or user.is_practitioner))


def subscriptions_of(*, owner: User) -> QuerySet[WebhookSubscription]:
    return WebhookSubscription.objects.filter(owner=owner).order_by("created_at", "id")


def subscription_get(*, owner: User, subscription_id) -> WebhookSubscription:
    subscription = subscriptions_of(owner=owner).filter(pk=subscription_id).first()
    if subscription is None:
        raise WebhookNotFound()
    return subscription


def subscriptions_receiving(
    *, event_type: str, owner_user_ids: Iterable
) -> list[WebhookSubscription]:
    """Active subscriptions of the owners and of every staff user that take `event_type`."""
    candidates = WebhookSubscription.objects.filter(
        Q(owner_id__in=list(owner_user_ids)) | Q(owner__is_staff=True),
        is_active=True,
        owner__is_active=True,
    ).order_by("created_at", "id")
    # Filtered here: a JSON list's "contains" has no SQLite lookup, and an owner has few.
    return [subscription for subscription in candidates if subscription.receives(event_type)]


def deliveries_of(*, subscription: WebhookSubscription) -> QuerySet[OutboxMessage]:
    """The subscription's deliveries, newest first, each with its attempts."""
    return (
        OutboxMessage.objects.filter(channel=CHANNEL, recipient=str(subscription.pk))
        .order_by("-created_at", "-id")
        .prefetch_related(
            Prefetch(
                "webhook_attempts",
                queryset=WebhookDeliveryAttempt.objects.order_by("attempted_at", "id"),
            )
        )
    )


def delivery_get(*, subscription: WebhookSubscription, delivery_id) -> OutboxMessage:
    delivery = deliveries_of(subscription=subscription).filter(pk=delivery_id).first()
    if delivery is None:
        raise WebhookDeliveryNotFound()
    return delivery
