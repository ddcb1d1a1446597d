"""Shapes of photos: the upload form and the photo object in profile and location responses."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from directory.models import Photo
from directory.photos import VARIANT_SIZES


class PhotoUploadSerializer(serializers.Serializer):
    image = serializers.FileField(
        help_text="A JPEG, PNG or WebP image of at most 10 MB and 50 million pixels."
    )


def file_url(name: str, request) -> str:
    url = default_storage.url(name)
    # Local storage answers a path; clients on another origin (an SPA) need the host.
    if request is not None and url.startswith("/"):
        return request.build_absolute_uri(url)
    return url


class PhotoFileSerializer(serializers.Serializer):
    url = serializers.URLField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class PhotoVariantsSerializer(serializers.Serializer):
    small = PhotoFileSerializer(help_text=f"WebP, longest side {VARIANT_SIZES['small']} px.")
    medium = PhotoFileSerializer(help_text=f"WebP, longest side {VARIANT_SIZES['medium']} px.")
    large = PhotoFileSerializer(help_text=f"WebP, longest side {VARIANT_SIZES['large']} px.")


class PhotoSerializer(serializers.Serializer):
    """A photo: the full-size image (re-encoded, without EXIF or GPS data) and smaller
    WebP variants for thumbnails and `srcset`; a variant is never larger than the photo."""

    id = serializers.UUIDField()
    url = serializers.URLField(help_text="The full-size image, in the uploaded format.")
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    variants = PhotoVariantsSerializer()
    created_at = serializers.DateTimeField()

    def to_representation(self, photo: Photo) -> dict:
        request = self.context.get("request")
        return {
            "id": str(photo.pk),
            "url": file_url(photo.original, request),
            "width": photo.width,
            "height": photo.height,
            "variants": {
                size: {
                    "url": file_url(variant["name"], request),
                    "width": variant["width"],
                    "height": variant["height"],
                }
                for size, variant in photo.variants.items()
            },
            "created_at": serializers.DateTimeField().to_representation(photo.created_at),
        }


def profile_photos_prefetch(lookup: str = "photos") -> Prefetch:
    """What `profile_photo_of` reads without a query: `lookup` is the path to a profile's
    photos ("photos" on profiles, "practitioner__photos" on their bookings)."""
    return Prefetch(
        lookup, queryset=Photo.objects.filter(location__isnull=True), to_attr="profile_photos"
    )


def profile_photo_of(profile) -> Photo | None:
    """The profile photo: from `profile_photos` when a selector prefetched it, else read."""
    prefetched = getattr(profile, "profile_photos", None)
    if prefetched is not None:
        return prefetched[0] if prefetched else None
    return Photo.objects.filter(practitioner=profile, location__isnull=True).first()


@extend_schema_field(PhotoSerializer(allow_null=True))
class ProfilePhotoField(serializers.Field):
    """A profile's photo, or null without one."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, profile):
        photo = profile_photo_of(profile)
        if photo is None:
            return None
        return PhotoSerializer(photo, context=self.context).data


@extend_schema_field(PhotoSerializer(many=True))
class LocationPhotosField(serializers.Field):
    """A location's photos, oldest first (prefetched by the caller's query where it lists)."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, location):
        return PhotoSerializer(location.photos.all(), many=True, context=self.context).data
