"""Shapes of the slots and bookings endpoints (and of the booking webhook events)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.selectors import user_phone
from bookings.models import (
    CANCELLATION_REASON_MAX_LENGTH,
    HOLD_STATUS,
    Booking,
    BookingStatus,
    CancelledBy,
    status_at,
)
from bookings.payment_port import PaymentView, RefundStatus
from bookings.selectors import booking_payment_view
from bookings.slots import horizon
from core.money import money_view
from core.serializers import AwareDateTimeField, MoneySerializer
from core.timezones import zone_get
from directory.models import ServiceMode
from directory.photo_serializers import ProfilePhotoField

# --- Slots --------------------------------------------------------------------------


class SlotsQuerySerializer(serializers.Serializer):
    service = serializers.UUIDField()
    # `from` is a Python keyword, so it cannot be declared as a plain attribute.
    locals()["from"] = serializers.DateField()
    to = serializers.DateField()
    tz = serializers.CharField(required=False, max_length=64)

    MAX_DAYS = 62

    def validate_tz(self, value):
        return zone_get(value, field="tz")

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
    start = serializers.DateTimeField(help_text="In the zone `tz`, with its UTC offset.")
    end = serializers.DateTimeField(help_text="In the zone `tz`, with its UTC offset.")
    start_utc = serializers.DateTimeField(help_text="The same instant as `start`, in UTC.")
    end_utc = serializers.DateTimeField(help_text="The same instant as `end`, in UTC.")


class SlotsSerializer(serializers.Serializer):
    timezone = serializers.CharField(
        help_text="The practitioner's IANA time zone, the one the weekly hours are in."
    )
    tz = serializers.CharField(
        help_text="The IANA zone `start`/`end` and the days `from`/`to` are in: the `tz` "
        "asked for, else the practitioner's."
    )
    slots = SlotSerializer(many=True)


# --- Bookings -----------------------------------------------------------------------


class BookingPaymentSerializer(serializers.Serializer):
    """What Stripe.js needs to pay a held booking."""

    provider = serializers.CharField()
    payment_intent_id = serializers.CharField()
    client_secret = serializers.CharField()
    publishable_key = serializers.CharField()


class BookingPractitionerSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    slug = serializers.SlugField()
    display_name = serializers.CharField()
    photo = ProfilePhotoField()


class BookingServiceSerializer(serializers.Serializer):
    """The service as it was when booked (or last moved): later edits or its deletion do
    not change it."""

    id = serializers.UUIDField()
    name = serializers.CharField()
    duration_minutes = serializers.IntegerField()
    mode = serializers.ChoiceField(choices=ServiceMode.choices)


class BookingLocationSerializer(serializers.Serializer):
    """Where the session takes place, as it was when booked (or last moved)."""

    id = serializers.UUIDField()
    name = serializers.CharField()
    address = serializers.CharField(help_text='One line, e.g. "Torstraße 1, 10119 Berlin, DE".')
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()


class BookingClientSerializer(serializers.Serializer):
    """Who booked. `email` and `phone` are shown to the practitioner only (null otherwise)."""

    id = serializers.UUIDField()
    name = serializers.CharField()
    email = serializers.EmailField(allow_null=True)
    phone = serializers.CharField(allow_null=True, help_text="E.164, or null without one.")


class BookingRefundSerializer(serializers.Serializer):
    amount = MoneySerializer(help_text="What is refunded (all refunds of the booking together).")
    status = serializers.ChoiceField(
        choices=[status.value for status in RefundStatus],
        help_text="`pending` until the payment provider confirms it, then `succeeded`; "
        "`failed` if it refused.",
    )


class BookingSerializer(serializers.Serializer):
    """A booking as one document: who, what, where, when, for how much.

    Times are instants (UTC, "Z"); `timezone` is the practitioner's zone to show them in.
    A hold that lapsed reads `expired` at once. `payment` is there only for the client
    while a held booking waits for its payment; `hold_expires_at` only while it is held.
    """

    id = serializers.UUIDField()
    status = serializers.SerializerMethodField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    timezone = serializers.CharField(
        source="practitioner.timezone", help_text="The practitioner's IANA time zone."
    )
    practitioner = BookingPractitionerSerializer()
    service = serializers.SerializerMethodField()
    location = serializers.SerializerMethodField()
    client = serializers.SerializerMethodField()
    price = serializers.SerializerMethodField()
    hold_expires_at = serializers.SerializerMethodField()
    payment = serializers.SerializerMethodField()
    refund = serializers.SerializerMethodField()
    cancelled_at = serializers.DateTimeField(allow_null=True)
    cancelled_by = serializers.ChoiceField(
        source="cancelled_by_role", choices=CancelledBy.choices, allow_null=True
    )
    cancellation_reason = serializers.SerializerMethodField()
    completed_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    @property
    def _now(self):
        now = self.context.get("now")
        if now is None:
            now = self.context["now"] = timezone.now()
        return now

    def _viewer_is_practitioner(self, booking: Booking) -> bool:
        viewer = self.context.get("viewer")
        return viewer is not None and viewer.pk == booking.practitioner.user_id

    def _payment_view(self, booking: Booking) -> PaymentView:
        # Computed once per booking for `payment` and `refund`.
        cache = self.context.setdefault("payment_views", {})
        if booking.pk not in cache:
            cache[booking.pk] = booking_payment_view(
                booking=booking, viewer=self.context.get("viewer")
            )
        return cache[booking.pk]

    def _held(self, booking: Booking) -> bool:
        return status_at(booking, now=self._now) == HOLD_STATUS

    @extend_schema_field(serializers.ChoiceField(choices=BookingStatus.choices))
    def get_status(self, booking: Booking) -> str:
        return status_at(booking, now=self._now)

    @extend_schema_field(BookingServiceSerializer)
    def get_service(self, booking: Booking) -> dict:
        return {
            "id": str(booking.service_id),
            "name": booking.service_name,
            "duration_minutes": booking.duration_minutes,
            "mode": booking.service_mode,
        }

    @extend_schema_field(BookingLocationSerializer(allow_null=True))
    def get_location(self, booking: Booking) -> dict | None:
        if booking.location_id is None:
            return None  # an online session
        return {
            "id": str(booking.location_id),
            "name": booking.location_name,
            "address": booking.location_address,
            "latitude": booking.location_latitude,
            "longitude": booking.location_longitude,
        }

    @extend_schema_field(BookingClientSerializer)
    def get_client(self, booking: Booking) -> dict:
        client = booking.client
        contact = self._viewer_is_practitioner(booking)
        return {
            "id": str(client.pk),
            "name": client.name,
            "email": client.email if contact else None,
            "phone": user_phone(client) if contact else None,
        }

    @extend_schema_field(MoneySerializer)
    def get_price(self, booking: Booking) -> dict:
        return money_view(booking.amount, booking.currency)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_hold_expires_at(self, booking: Booking) -> str | None:
        if not self._held(booking):
            return None
        return serializers.DateTimeField().to_representation(booking.hold_expires_at)

    @extend_schema_field(BookingPaymentSerializer(allow_null=True))
    def get_payment(self, booking: Booking) -> dict | None:
        if not self._held(booking):
            return None  # nothing to pay: paid, free, lapsed or closed
        return self._payment_view(booking).checkout

    @extend_schema_field(BookingRefundSerializer(allow_null=True))
    def get_refund(self, booking: Booking) -> dict | None:
        refund = self._payment_view(booking).refund
        if refund is None:
            return None
        return {
            "amount": money_view(refund.amount, booking.currency),
            "status": str(refund.status),
        }

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_cancellation_reason(self, booking: Booking) -> str | None:
        return booking.cancellation_reason or None


class BookingCreateSerializer(serializers.Serializer):
    service = serializers.UUIDField()
    start = AwareDateTimeField(
        help_text="The slot's start with its UTC offset (a slot's `start` or `start_utc`); "
        "a time without an offset is 400 `timezone_required`."
    )


class BookingRescheduleSerializer(serializers.Serializer):
    start = AwareDateTimeField(
        help_text="The new slot's start with its UTC offset; without one, 400 `timezone_required`."
    )


class BookingCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=CANCELLATION_REASON_MAX_LENGTH,
        help_text="Why, in a few words; both parties see it on the booking.",
    )


class CalendarFeedSerializer(serializers.Serializer):
    url = serializers.URLField()
