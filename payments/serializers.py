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
