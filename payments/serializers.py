from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.money import money_view
from core.serializers import MoneySerializer


class PaymentInfoSerializer(serializers.Serializer):
    """The `payment` block of a booking: what a client needs to pay with Stripe.js."""

    provider = serializers.CharField()
    payment_intent_id = serializers.CharField()
    client_secret = serializers.CharField()
    publishable_key = serializers.CharField()


class PayoutStatusSerializer(serializers.Serializer):
    stripe_account_id = serializers.CharField()
    charges_enabled = serializers.BooleanField()
    payouts_enabled = serializers.BooleanField()
    details_submitted = serializers.BooleanField()


class PayoutOnboardingSerializer(serializers.Serializer):
    url = serializers.URLField()


class WebhookAckSerializer(serializers.Serializer):
    received = serializers.BooleanField()
    outcome = serializers.CharField()


class RefundEventSerializer(serializers.Serializer):
    """`data` of the `payment.refunded` webhook event: one refund that succeeded."""

    id = serializers.UUIDField()
    booking = serializers.UUIDField(source="payment.booking_id")
    payment_intent_id = serializers.CharField(source="payment.payment_intent_id")
    amount = serializers.SerializerMethodField()
    reason = serializers.CharField(help_text="cancellation, slot_taken or external.")
    status = serializers.CharField()
    payment_amount = serializers.SerializerMethodField()
    payment_refunded_amount = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(MoneySerializer)
    def get_amount(self, refund) -> dict:
        """This refund."""
        return money_view(refund.amount, refund.payment.currency)

    @extend_schema_field(MoneySerializer)
    def get_payment_amount(self, refund) -> dict:
        """What was paid."""
        return money_view(refund.payment.amount, refund.payment.currency)

    @extend_schema_field(MoneySerializer)
    def get_payment_refunded_amount(self, refund) -> dict:
        """All refunded of that payment so far, this refund included."""
        return money_view(refund.payment.refunded_amount, refund.payment.currency)
