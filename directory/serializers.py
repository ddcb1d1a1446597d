"""Shapes of the directory's public and workspace endpoints."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.money import money_view
from core.serializers import MoneyField, MoneySerializer, WallDateTimeField
from directory.models import (
    AvailabilityRule,
    Location,
    Modality,
    PractitionerProfile,
    Service,
    TimeOff,
    minutes_to_hhmm,
)
from directory.photo_serializers import LocationPhotosField, ProfilePhotoField, file_url


class ModalitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Modality
        fields = ["slug", "name"]


# --- Public directory ------------------------------------------------------------


class LocationBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = ["id", "city", "latitude", "longitude"]


class PublicLocationSerializer(serializers.ModelSerializer):
    photos = LocationPhotosField()

    class Meta:
        model = Location
        fields = [
            "id",
            "name",
            "address_line",
            "city",
            "region",
            "postal_code",
            "country",
            "latitude",
            "longitude",
            "wheelchair_accessible",
            "parking",
            "public_transport_nearby",
            "photos",
        ]


def _price_field(**kwargs) -> MoneyField:
    return MoneyField(
        amount_attr="price_amount",
        currency_attr="currency",
        help_text="The price of one session in the currency's minor units; amount 0 is free.",
        **kwargs,
    )


class PublicServiceSerializer(serializers.ModelSerializer):
    price = _price_field(read_only=True)

    class Meta:
        model = Service
        fields = [
            "id",
            "name",
            "description",
            "duration_minutes",
            "price",
            "mode",
            "location",
        ]


class _RatingFields(serializers.Serializer):
    rating_average = serializers.SerializerMethodField()
    review_count = serializers.IntegerField(source="rating_count", read_only=True)
    price_from = serializers.SerializerMethodField()
    currency = serializers.SerializerMethodField()

    @staticmethod
    def _cheapest(profile):
        # Set by the selectors: active services (of the searched mode), cheapest first; a
        # search result has the cheapest alone, from the practitioner's search card.
        services = getattr(profile, "priced_services", None)
        return services[0] if services else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_price_from(self, profile) -> int | None:
        cheapest = self._cheapest(profile)
        return None if cheapest is None else cheapest.price_amount

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_currency(self, profile) -> str | None:
        cheapest = self._cheapest(profile)
        return None if cheapest is None else cheapest.currency

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_rating_average(self, profile) -> float | None:
        # A number, not DRF's default decimal string: clients compare and sort it.
        return None if profile.rating_average is None else float(profile.rating_average)


class PractitionerSearchResultSerializer(_RatingFields, serializers.ModelSerializer):
    # Set by the search selector from each practitioner's search card.
    modalities = serializers.ListField(
        child=serializers.SlugField(), source="modality_slugs", read_only=True
    )
    distance_km = serializers.SerializerMethodField()
    locations = LocationBriefSerializer(source="active_locations", many=True, read_only=True)
    photo_url = serializers.SerializerMethodField(
        help_text="The practitioner's profile photo as a small WebP thumbnail (longest side"
        " 160 px) for lists, or null without a photo. `GET /api/v1/practitioners/{id}/`"
        " has it in larger sizes."
    )
    next_available = serializers.SerializerMethodField(
        help_text="With `available_from`/`available_to` or `ordering=next_available`: when"
        " the practitioner's first free slot starts (in the window, or in the next 14 days"
        " without one), in the practitioner's time zone with its UTC offset; null when"
        " there is none or availability was not asked for."
    )

    class Meta:
        model = PractitionerProfile
        fields = [
            "id",
            "slug",
            "display_name",
            "headline",
            "modalities",
            "languages",
            "distance_km",
            "rating_average",
            "review_count",
            "price_from",
            "currency",
            "offers_online",
            "locations",
            "photo_url",
            "next_available",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_distance_km(self, profile) -> float | None:
        distance = getattr(profile, "distance_km", None)
        return None if distance is None else round(distance, 3)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_photo_url(self, profile) -> str | None:
        # Set by the search selector for the whole page (`list_photo`).
        photo = getattr(profile, "list_photo", None)
        return None if photo is None else file_url(photo["name"], self.context.get("request"))

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_next_available(self, profile) -> str | None:
        # Set by the availability search (an aware datetime in the practitioner's zone).
        start = getattr(profile, "next_available", None)
        if start is None:
            return None
        text = start.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text  # as DRF writes UTC

    def to_representation(self, profile):
        # The search's hot path: DRF's generic field machinery cost more per page than
        # the search SQL itself. The output is exactly the declared fields' (a test
        # compares the two), which also remain the schema.
        cheapest = self._cheapest(profile)
        return {
            "id": str(profile.id),
            "slug": profile.slug,
            "display_name": profile.display_name,
            "headline": profile.headline,
            "modalities": list(profile.modality_slugs),
            "languages": profile.languages,
            "distance_km": self.get_distance_km(profile),
            "rating_average": self.get_rating_average(profile),
            "review_count": profile.rating_count,
            "price_from": None if cheapest is None else cheapest.price_amount,
            "currency": None if cheapest is None else cheapest.currency,
            "offers_online": profile.offers_online,
            "locations": [
                {
                    "id": str(location.id),
                    "city": location.city,
                    "latitude": float(location.latitude),
                    "longitude": float(location.longitude),
                }
                for location in profile.active_locations
            ],
            "photo_url": self.get_photo_url(profile),
            "next_available": self.get_next_available(profile),
        }


class PractitionerPublicSerializer(_RatingFields, serializers.ModelSerializer):
    modalities = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    locations = PublicLocationSerializer(source="active_locations", many=True, read_only=True)
    services = PublicServiceSerializer(source="priced_services", many=True, read_only=True)
    photo = ProfilePhotoField()
    price_from = serializers.SerializerMethodField(
        help_text="The cheapest active service's price, or null without one."
    )

    @extend_schema_field(MoneySerializer(allow_null=True))
    def get_price_from(self, profile) -> dict | None:
        cheapest = self._cheapest(profile)
        return None if cheapest is None else money_view(cheapest.price_amount, cheapest.currency)

    class Meta:
        model = PractitionerProfile
        fields = [
            "id",
            "slug",
            "display_name",
            "headline",
            "photo",
            "bio",
            "modalities",
            "languages",
            "timezone",
            "offers_online",
            "rating_average",
            "review_count",
            "price_from",
            "min_notice_minutes",
            "max_advance_days",
            "cancellation_window_hours",
            "late_cancellation_refund_percent",
            "services",
            "locations",
        ]
        read_only_fields = fields


# --- Practitioner workspace ---------------------------------------------------------


class _ModalitySlugs(serializers.ListField):
    """Slugs in and out; the service checks that they exist."""

    def to_representation(self, data):
        return sorted(m.slug for m in data.all())


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "integer", "minimum": 15, "maximum": 10080},
        "maxItems": 3,
        "uniqueItems": True,
        "description": "Minutes before each confirmed session at which the client is "
        "reminded (e-mail, and SMS to a client with a phone number), largest first; [] for "
        "none. Applies to sessions confirmed or rescheduled after the change. Otherwise "
        "400 `reminder_offsets_invalid`.",
    }
)
class _ReminderOffsets(serializers.Field):
    """Passed through as sent: the directory's rule (directory.reminders) judges it."""

    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return value


class _OptionalUrl(serializers.URLField):
    """A link, or null for none (stored as an empty string)."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, allow_blank=True, **kwargs)

    def run_validation(self, data=serializers.empty):
        if data is None or data == "":
            return ""
        return super().run_validation(data)

    def to_representation(self, value):
        return value or None


class ProfileSerializer(serializers.ModelSerializer):
    reminder_offsets_minutes = _ReminderOffsets(required=False, allow_null=True)
    online_meeting_url = _OptionalUrl(
        max_length=500,
        required=False,
        help_text="Where online sessions take place, or null; shown only to booked clients, "
        "in their confirmation and reminder e-mails.",
    )
    modalities = _ModalitySlugs(
        child=serializers.SlugField(max_length=80), max_length=20, required=False
    )
    languages = serializers.ListField(
        child=serializers.CharField(min_length=2, max_length=2), max_length=20, required=False
    )
    min_notice_minutes = serializers.IntegerField(min_value=0, max_value=10080, required=False)
    max_advance_days = serializers.IntegerField(min_value=1, max_value=730, required=False)
    buffer_minutes = serializers.IntegerField(min_value=0, max_value=240, required=False)
    slot_interval_minutes = serializers.IntegerField(
        min_value=5, max_value=480, allow_null=True, required=False
    )
    cancellation_window_hours = serializers.IntegerField(min_value=0, max_value=720, required=False)
    late_cancellation_refund_percent = serializers.IntegerField(
        min_value=0, max_value=100, required=False
    )
    photo = ProfilePhotoField()

    class Meta:
        model = PractitionerProfile
        fields = [
            "id",
            "slug",
            "display_name",
            "headline",
            "photo",
            "bio",
            "modalities",
            "languages",
            "timezone",
            "offers_online",
            "is_published",
            "min_notice_minutes",
            "max_advance_days",
            "buffer_minutes",
            "slot_interval_minutes",
            "cancellation_window_hours",
            "late_cancellation_refund_percent",
            "reminder_offsets_minutes",
            "online_meeting_url",
        ]
        read_only_fields = ["id", "slug"]


class LocationSerializer(serializers.ModelSerializer):
    latitude = serializers.FloatField(min_value=-90, max_value=90, required=False)
    longitude = serializers.FloatField(min_value=-180, max_value=180, required=False)
    photos = LocationPhotosField()

    class Meta:
        model = Location
        fields = PublicLocationSerializer.Meta.fields
        read_only_fields = ["id", "photos"]


class _OwnLocationField(serializers.PrimaryKeyRelatedField):
    """One of the requesting practitioner's locations (others look like unknown ids)."""

    def get_queryset(self):
        request = self.context.get("request")
        profile = getattr(getattr(request, "user", None), "practitioner_profile", None)
        if profile is None:
            return Location.objects.none()
        return Location.objects.filter(practitioner=profile, is_active=True)


class ServiceSerializer(serializers.ModelSerializer):
    """A service you offer. `price` is `{amount, currency}` with `amount` in the currency's
    minor units (8500 EUR is €85.00, 5000 JPY is ¥5,000); there is no default currency.
    A paid price is at least the smallest charge the payment provider takes in that
    currency (€0.50, £0.30, ¥50...); 0 is a free session, booked without payment."""

    duration_minutes = serializers.IntegerField(min_value=15, max_value=480)
    price = _price_field()
    location = _OwnLocationField(allow_null=True, required=False)

    class Meta:
        model = Service
        fields = [
            "id",
            "name",
            "description",
            "duration_minutes",
            "price",
            "mode",
            "location",
            "is_active",
        ]
        read_only_fields = ["id"]


_TIME_PATTERN = r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$"


def _minutes(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


class AvailabilityRuleSerializer(serializers.ModelSerializer):
    """A weekly rule; times are local wall-clock "HH:MM", end may be "24:00"."""

    weekday = serializers.IntegerField(min_value=0, max_value=6)
    start_time = serializers.RegexField(
        _TIME_PATTERN, max_length=5, error_messages={"invalid": "Use HH:MM (00:00-23:59)."}
    )
    end_time = serializers.RegexField(
        _TIME_PATTERN, max_length=5, error_messages={"invalid": "Use HH:MM (00:00-24:00)."}
    )
    location = _OwnLocationField(allow_null=True, required=False)

    class Meta:
        model = AvailabilityRule
        fields = ["id", "weekday", "start_time", "end_time", "location"]
        read_only_fields = ["id"]

    def validate_start_time(self, value):
        if value == "24:00":
            raise serializers.ValidationError("A rule cannot start at 24:00.")
        return value

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        if "start_time" in values:
            values["start_minute"] = _minutes(values.pop("start_time"))
        if "end_time" in values:
            values["end_minute"] = _minutes(values.pop("end_time"))
        return values

    def to_representation(self, instance):
        return {
            "id": str(instance.pk),
            "weekday": instance.weekday,
            "start_time": minutes_to_hhmm(instance.start_minute),
            "end_time": minutes_to_hhmm(instance.end_minute),
            "location": str(instance.location_id) if instance.location_id else None,
        }


def _own_zone(field: serializers.Field) -> ZoneInfo:
    """The requesting practitioner's zone (the workspace shows only their own objects)."""
    return ZoneInfo(field.context["request"].user.practitioner_profile.timezone)


_WALL_TIME_HELP = (
    "In your profile's time zone: a time without an offset (2026-12-24T00:00:00) is that "
    "wall-clock time there; one with an offset is taken as given. A wall-clock time skipped "
    "or repeated by a DST change is 400 `local_time_nonexistent` / `local_time_ambiguous` "
    "(send it with an offset). Returned in your zone, with its offset."
)


class TimeOffSerializer(serializers.ModelSerializer):
    """Time off: no slots from `starts_at` until `ends_at`."""

    starts_at = WallDateTimeField(zone_of=_own_zone, help_text=_WALL_TIME_HELP)
    ends_at = WallDateTimeField(zone_of=_own_zone, help_text=_WALL_TIME_HELP)

    class Meta:
        model = TimeOff
        fields = ["id", "starts_at", "ends_at", "reason"]
        read_only_fields = ["id"]
