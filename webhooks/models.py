import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from outbox.models import OutboxMessage


class DisabledReason(models.TextChoices):
    ACTIVE = "", "Active"
    PAUSED = "paused", "Paused by its owner"
    ENDPOINT_GONE = "endpoint_gone", "The endpoint answered 410 Gone"
    FAILING = "failing", "Every delivery failed for days"
    ACCOUNT_DELETED = "account_deleted", "Its owner deleted the account"


class WebhookSubscription(models.Model):
    """An endpoint that receives signed events: its owner's (all of them for staff).

    The secret signs every delivery, so it is stored as it is (it must be recoverable);
    the API shows it only when it is made, at creation and on rotation.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_subscriptions"
    )
    url = models.CharField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    secret = models.CharField(max_length=100)
    # Empty: every event type.
    event_types = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    disabled_reason = models.CharField(
        max_length=20, choices=DisabledReason.choices, default=DisabledReason.ACTIVE, blank=True
    )
    # The first failed attempt since the last delivered one; None while deliveries succeed.
    failing_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["owner", "created_at"], name="webhook_owner_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_active=True, disabled_reason="")
                | models.Q(is_active=False, disabled_reason__in=DisabledReason.values[1:]),
                name="webhook_disabled_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(secret__startswith="whsec_"), name="webhook_secret_prefixed"
            ),
        ]

    def __str__(self):
        return self.url

    def receives(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class WebhookDeliveryAttempt(models.Model):
    """One HTTP attempt of one delivery (an outbox message of the "webhook" channel)."""

    message = models.ForeignKey(
        OutboxMessage, on_delete=models.CASCADE, related_name="webhook_attempts"
    )
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="attempts"
    )
    attempted_at = models.DateTimeField(default=timezone.now)
    # None when no HTTP answer came (refused address, timeout, connection error).
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # The first kilobyte of the answer, decoded as UTF-8 with replacements.
    response_body = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["attempted_at", "id"]
        indexes = [models.Index(fields=["message", "attempted_at"], name="webhook_attempt_msg_idx")]

    def __str__(self):
        return f"{self.message_id} at {self.attempted_at}: {self.status_code or self.error}"
