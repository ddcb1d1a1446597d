from rest_framework import serializers


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
    amount = serializers.IntegerField(help_text="In the currency's smallest unit.")
    currency = serializers.CharField(source="payment.currency")
    reason = serializers.CharField(help_text="cancellation, slot_taken or external.")
    status = serializers.CharField()
    payment_amount = serializers.IntegerField(source="payment.amount")
    payment_refunded_amount = serializers.IntegerField(source="payment.refunded_amount")
    created_at = serializers.DateTimeField()
