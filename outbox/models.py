import uuid

from django.db import models
from django.utils import timezone


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    # Withdrawn before it was sent (a cancelled booking's reminder).
    CANCELLED = "cancelled", "Cancelled"
    # Not sent because its `not_after` passed first (a reminder due when its session had
    # already started); `last_error` says when that was.
    EXPIRED = "expired", "Expired"


class OutboxMessage(models.Model):
    """One e-mail, SMS or webhook delivery; the row is the message's only source of truth.

    A worker claims a due row by setting `claimed_until` (a lease) and counting the
    attempt, then sends. A worker that dies between claim and send leaves the lease to
    run out, after which the sweep claims the row again: delivery is at least once, and
    the row's id (the e-mail's Message-ID, the webhook's id) makes a duplicate detectable.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    channel = models.CharField(max_length=20)
    # Who receives it (an address, a phone number, a webhook subscription id): for
    # listing and the admin; the channel's sender reads the payload.
    recipient = models.CharField(max_length=320, blank=True)
    payload = models.JSONField()
    # Set by callers that must enqueue a message at most once (a reminder, say).
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # Never sent from this moment on (a reminder is pointless once its session started):
    # the sender checks it right before each attempt.
    not_after = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    give_up_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The sweep's query: due pending rows in order.
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_pending_due_idx",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["channel", "recipient", "-created_at"], name="outbox_recipient_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=MessageStatus.values), name="outbox_status_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="outbox_sent_has_sent_at",
            ),
        ]

    def __str__(self):
        return f"{self.channel} to {self.recipient} ({self.status})"
