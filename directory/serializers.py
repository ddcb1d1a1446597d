"""Shapes of the directory's public and workspace endpoints."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from directory.models import Location, Modality, PractitionerProfile, Service


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
        ]


class PublicServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = [
            "id",
            "name",
            "description",
            "duration_minutes",
            "price_amount",
            "currency",
            "mode",
            "location",
        ]


class _RatingFields(serializers.Serializer):
    rating_average = serializers.SerializerMethodField()
    review_count = serializers.IntegerField(source="rating_count", read_only=True)
    price_from = serializers.IntegerField(read_only=True, allow_null=True)
    currency = serializers.CharField(source="price_currency", read_only=True, allow_null=True)

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_rating_average(self, profile) -> float | None:
        # A number, not DRF's default decimal string: clients compare and sort it.
        return None if profile.rating_average is None else float(profile.rating_average)


class PractitionerSearchResultSerializer(_RatingFields, serializers.ModelSerializer):
    modalities = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    distance_km = serializers.SerializerMethodField()
    locations = LocationBriefSerializer(source="active_locations", many=True, read_only=True)

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
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_distance_km(self, profile) -> float | None:
        distance = getattr(profile, "distance_km", None)
        return None if distance is None else round(distance, 3)


class PractitionerPublicSerializer(_RatingFields, serializers.ModelSerializer):
    modalities = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    locations = PublicLocationSerializer(source="active_locations", many=True, read_only=True)
    services = PublicServiceSerializer(source="active_services", many=True, read_only=True)

    class Meta:
        model = PractitionerProfile
        fields = [
            "id",
            "slug",
            "display_name",
            "headline",
            "bio",
            "modalities",
            "languages",
            "timezone",
            "offers_online",
            "rating_average",
            "review_count",
            "price_from",
            "currency",
            "min_notice_minutes",
            "max_advance_days",
            "cancellation_window_hours",
            "late_cancellation_refund_percent",
            "services",
            "locations",
        ]
        read_only_fields = fields
