import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper

from bookings.models import Booking
from bookings.payment_port import RefundReason as BookingRefundReason
from directory.models import PractitionerProfile


class ConnectAccount(models.Model):
    """A practitioner's Stripe Connect (Express) account, kept current by webhooks.

    No row: the practitioner never started onboarding (all fields at their defaults).
    """

    practitioner = models.OneToOneField(
        PractitionerProfile,
        primary_key=True,
        on_delete=models.PROTECT,
        related_name="connect_account",
    )
    stripe_account_id = models.CharField(max_length=64, blank=True)
    charges_enabled = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    details_submitted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["stripe_account_id"],
                condition=~Q(stripe_account_id=""),
                name="connect_account_id_unique",
            ),
        ]

    def __str__(self):
        return self.stripe_account_id or f"no account yet ({self.practitioner_id})"

    @property
    def can_take_charges(self) -> bool:
        return bool(self.stripe_account_id and self.charges_enabled)


class StripeCustomer(models.Model):
    """The Stripe Customer of one client, created once and reused for every payment."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stripe_customer"
    )
    stripe_customer_id = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.stripe_customer_id


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # waiting for the client to pay
    SUCCEEDED = "succeeded", "Succeeded"
    CANCELED = "canceled", "Canceled"


class Payment(models.Model):
    """Our ledger entry for one PaymentIntent. Stripe is the trigger, this is the record."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="payment")
    payment_intent_id = models.CharField(max_length=64, unique=True)
    client_secret = models.CharField(max_length=200)
    stripe_customer_id = models.CharField(max_length=64)
    amount = models.PositiveIntegerField()  # minor units of `currency`
    currency = models.CharField(max_length=3)  # upper-case ISO 4217 (Stripe's is lower-case)
    # Platform fee of a destination charge; 0 when the platform collects the payment itself.
    application_fee_amount = models.PositiveIntegerField(default=0)
    destination_account_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    # Refunds reserved or made through our ledger (and any made elsewhere, synced by webhook).
    refunded_amount = models.PositiveIntegerField(default=0)
    disputed = models.BooleanField(default=False)
    dispute_id = models.CharField(max_length=64, blank=True)
    failure_count = models.PositiveIntegerField(default=0)
    last_failure_code = models.CharField(max_length=64, blank=True)
    last_failure_message = models.CharField(max_length=500, blank=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(refunded_amount__lte=F("amount")), name="payment_refund_le_amount"
            ),
            models.CheckConstraint(
                condition=Q(application_fee_amount__lte=F("amount")), name="payment_fee_le_amount"
            ),
            models.CheckConstraint(
                condition=Q(currency=Upper("currency")), name="payment_currency_upper"
            ),
        ]

    def __str__(self):
        return f"{self.payment_intent_id} {self.amount} {self.currency} ({self.status})"

    @property
    def refundable_amount(self) -> int:
        if self.status != PaymentStatus.SUCCEEDED:
            return 0
        return self.amount - self.refunded_amount


class RefundStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # reserved in our ledger, Stripe not yet confirmed
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class RefundReason(models.TextChoices):
    # The reasons bookings asks for, and the one only the ledger knows (EXTERNAL).
    CANCELLATION = BookingRefundReason.CANCELLATION.value, "Booking cancelled"
    SLOT_TAKEN = (
        BookingRefundReason.SLOT_TAKEN.value,
        "Paid after the hold expired and the slot was taken",
    )
    EXTERNAL = "external", "Made outside Stillpoint (synced from Stripe)"


class Refund(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveIntegerField()
    reason = models.CharField(max_length=20, choices=RefundReason.choices)
    status = models.CharField(
        max_length=20, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    stripe_refund_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    failure_message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            # One live refund per reason and payment: a retried cancel never refunds twice.
            # A failed one stays on record and may be followed by a new attempt.
            models.UniqueConstraint(
                fields=["payment", "reason"],
                condition=~Q(reason="external") & ~Q(status="failed"),
                name="refund_once_per_reason",
            ),
        ]

    def __str__(self):
        return f"{self.amount} of {self.payment.payment_intent_id} ({self.status})"


class WebhookEvent(models.Model):
    """Every verified Stripe event, stored once by its id and processed once."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # What processing did, e.g. "confirmed booking", "ignored: amount mismatch".
    outcome = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["type", "received_at"], name="webhook_type_idx")]

    def __str__(self):
        return f"{self.event_id} {self.type}"
