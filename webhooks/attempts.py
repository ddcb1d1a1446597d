"""What one delivery attempt's answer means, recorded per attempt.

2xx: delivered (and the subscription is no longer failing). 410 Gone: the endpoint is
gone for good; the subscription is disabled. Anything else (another 4xx, a 5xx, a
redirect, a timeout, a refused connection, an address the SSRF rule refuses) is
retried on the schedule, as the Standard Webhooks guidance and Stripe do: a 4xx is
often a receiver's passing misconfiguration. A subscription whose deliveries have all
failed for WEBHOOK_DISABLE_AFTER_DAYS (10) days is disabled; both disablings e-mail
the owner.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings

from outbox.models import OutboxMessage
from webhooks.models import DisabledReason, WebhookDeliveryAttempt, WebhookSubscription
from webhooks.services import subscription_disable

RESPONSE_BODY_BYTES = 1024
ERROR_CHARS = 500


@dataclass(frozen=True)
class HttpResult:
    status_code: int | None = None
    body: str = ""
    error: str = ""
    duration_ms: int = 0
    # No answer at all (timeout, no connection): the endpoint is skipped for the rest
    # of a delivery run instead of making each of its messages wait out the timeout.
    unreachable: bool = False

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    def describe(self) -> str:
        if self.status_code is not None:
            return f"HTTP {self.status_code}"
        return self.error


class Verdict(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    GIVE_UP = "give_up"


def retry_delay_seconds(attempts_before: int) -> float:
    """Seconds until the next attempt after attempt number `attempts_before + 1` failed:
    the schedule's step, shortened by up to 15 % so that retries of many deliveries
    spread out (and the last one stays within the outbox's day)."""
    schedule = settings.WEBHOOK_RETRY_SCHEDULE_SECONDS
    step = schedule[min(attempts_before, len(schedule) - 1)]
    return step * random.uniform(0.85, 1.0)


def attempt_record(
    *,
    message: OutboxMessage,
    subscription: WebhookSubscription,
    result: HttpResult,
    at: datetime,
    log: list[WebhookDeliveryAttempt],
) -> tuple[Verdict, str]:
    """Log the attempt (into `log`, saved by `attempts_save`) and decide: delivered,
    retry, or give up (with the reason)."""
    log.append(
        WebhookDeliveryAttempt(
            message=message,
            subscription=subscription,
            attempted_at=at,
            status_code=result.status_code,
            response_body=result.body,
            error=result.error[:ERROR_CHARS],
            duration_ms=result.duration_ms,
        )
    )
    if result.delivered:
        if subscription.failing_since is not None:
            WebhookSubscription.objects.filter(pk=subscription.pk).update(failing_since=None)
            subscription.failing_since = None
        return Verdict.DELIVERED, ""
    reason = result.describe()
    if result.status_code == 410:
        _disable(subscription, DisabledReason.ENDPOINT_GONE, "it answered 410 Gone")
        return Verdict.GIVE_UP, "410 Gone: the subscription is disabled"
    if subscription.failing_since is None:
        WebhookSubscription.objects.filter(pk=subscription.pk, failing_since__isnull=True).update(
            failing_since=at
        )
        subscription.failing_since = at
    elif subscription.failing_since <= at - timedelta(days=settings.WEBHOOK_DISABLE_AFTER_DAYS):
        days = settings.WEBHOOK_DISABLE_AFTER_DAYS
        _disable(
            subscription,
            DisabledReason.FAILING,
            f"every delivery failed for {days} days (the last: {reason})",
        )
        return Verdict.GIVE_UP, f"{reason}; failing for {days} days: the subscription is disabled"
    return Verdict.RETRY, reason


def attempts_save(log: list[WebhookDeliveryAttempt]) -> None:
    """Save a run's attempts at once, when the outbox records its batch as sent: a worker
    that dies mid-batch loses the log of attempts the outbox will make again anyway."""
    # An owner may have deleted a subscription meanwhile; its log went with it.
    kept = set(
        WebhookSubscription.objects.filter(
            pk__in={attempt.subscription_id for attempt in log}
        ).values_list("pk", flat=True)
    )
    WebhookDeliveryAttempt.objects.bulk_create(
        [attempt for attempt in log if attempt.subscription_id in kept], batch_size=500
    )
    log.clear()


def _disable(subscription: WebhookSubscription, reason: str, why: str) -> None:
    disabled = subscription_disable(subscription=subscription, reason=reason, why=why)
    subscription.is_active = disabled.is_active
    subscription.disabled_reason = disabled.disabled_reason
