from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bookings.models import Booking
from bookings.slots import horizon


class SlotsQuerySerializer(serializers.Serializer):
    service = serializers.UUIDField()
    # `from` is a Python keyword, so it cannot be declared as a plain attribute.
    locals()["from"] = serializers.DateField()
    to = serializers.DateField()

    MAX_DAYS = 62

    def validate(self, attrs):
        first, last = horizon(timezone.now().date())
        for name in ("from", "to"):
            if not first <= attrs[name] <= last:
                raise serializers.ValidationError({name: [f"Must be between {first} and {last}."]})
        if attrs["to"] < attrs["from"]:
            raise serializers.ValidationError({"to": ["Must not be before `from`."]})
        if (attrs["to"] - attrs["from"]).days + 1 > self.MAX_DAYS:
            raise serializers.ValidationError(
                {"to": [f"The window is at most {self.MAX_DAYS} days."]}
            )
        return attrs


class SlotSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class SlotsSerializer(serializers.Serializer):
    timezone = serializers.CharField()
    slots = SlotSerializer(many=True)


class BookingPaymentSerializer(serializers.Serializer):
    provider = serializers.CharField()
    payment_intent_id = serializers.CharField()
    client_secret = serializers.CharField()
    publishable_key = serializers.CharField()


class BookingSerializer(serializers.ModelSerializer):
    """API.md's booking. `payment` comes from the view: context["payment_for"](booking)."""

    payment = serializers.SerializerMethodField()

    class Meta:
        model = Booking
        fields = [
            "id",
            "status",
            "service",
            "practitioner",
            "start",
            "end",
            "amount",
            "currency",
            "hold_expires_at",
            "payment",
            "location",
            "refund_amount",
            "cancelled_at",
            "completed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(BookingPaymentSerializer(allow_null=True))
    def get_payment(self, obj):
        payment_for = self.context.get("payment_for")
        return payment_for(obj) if payment_for else None


class BookingCreateSerializer(serializers.Serializer):
    service = serializers.UUIDField()
    start = serializers.DateTimeField()


class BookingRescheduleSerializer(serializers.Serializer):
    start = serializers.DateTimeField()


class CalendarFeedSerializer(serializers.Serializer):
    url = serializers.URLField()
