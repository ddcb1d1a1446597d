"""HTTP endpoints of photos in the practitioner workspace."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.uploads import LimitedMultiPartParser
from directory import photo_services
from directory.errors import ImageTooLarge
from directory.models import Location
from directory.photo_serializers import PhotoSerializer, PhotoUploadSerializer
from directory.views import _WorkspaceMixin as WorkspaceMixin

_UPLOAD_ERRORS = {
    400: OpenApiResponse(
        description="`image_invalid` (not a readable image, e.g. a PDF named .jpg), "
        "`image_type_unsupported` (an image other than JPEG, PNG or WebP, such as GIF or "
        "HEIC), `image_too_large` (over 10 MB), `image_dimensions_too_large` (over 50 "
        "million pixels), or `invalid` with the `image` field missing."
    ),
    413: OpenApiResponse(
        description="`request_too_large`: the request body is far over the file limit "
        "(refused before it is read)."
    ),
    415: OpenApiResponse(
        description="`unsupported_media_type`: the body is not `multipart/form-data`."
    ),
    503: OpenApiResponse(
        description="`media_storage_unavailable`: the photo could not be stored; retry."
    ),
}


class _PhotoUploadMixin(WorkspaceMixin):
    parser_classes = [LimitedMultiPartParser]
    upload_too_large = ImageTooLarge

    @property
    def throttle_scope(self) -> str | None:
        # Decoding and storing an image is the costly part; reading the list is not.
        return "upload" if self.request.method in {"PUT", "POST"} else None

    @property
    def max_upload_bytes(self) -> int:
        return settings.PHOTO_MAX_BYTES

    def uploaded_image(self):
        serializer = PhotoUploadSerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data["image"]

    def photo_response(self, photo, status_code=status.HTTP_200_OK) -> Response:
        return Response(PhotoSerializer(photo, context={"request": self.request}).data, status_code)


class ProfilePhotoView(_PhotoUploadMixin, APIView):
    @extend_schema(
        summary="Set your profile photo",
        description="Upload the photo as `multipart/form-data` in the field `image`. It "
        "replaces the current photo. The stored image is re-encoded: EXIF data (including "
        "the GPS position) and other metadata are removed and the orientation is applied. "
        "The public profile shows it at once as `photo`, with small, medium and large "
        "WebP variants.",
        request={"multipart/form-data": PhotoUploadSerializer},
        responses={200: PhotoSerializer, **_UPLOAD_ERRORS},
    )
    def put(self, request):
        photo = photo_services.profile_photo_replace(
            profile=self.profile, image=self.uploaded_image()
        )
        return self.photo_response(photo)

    @extend_schema(
        summary="Remove your profile photo",
        responses={
            204: None,
            404: OpenApiResponse(description="`photo_not_found`: there is no profile photo."),
        },
    )
    def delete(self, request):
        photo_services.profile_photo_delete(profile=self.profile)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _OwnLocationMixin:
    def own_location(self, location_id) -> Location:
        return get_object_or_404(
            Location, pk=location_id, practitioner=self.profile, is_active=True
        )


class LocationPhotoListView(_OwnLocationMixin, _PhotoUploadMixin, APIView):
    @extend_schema(summary="Photos of one of your locations", responses=PhotoSerializer(many=True))
    def get(self, request, location_id):
        location = self.own_location(location_id)
        return Response(
            PhotoSerializer(location.photos.all(), many=True, context={"request": request}).data
        )

    @extend_schema(
        summary="Add a photo to one of your locations",
        description="Upload the photo as `multipart/form-data` in the field `image`. A "
        "location has at most 10 photos; they are shown oldest first in the location's "
        "`photos`. The stored image is re-encoded without EXIF or GPS data, upright.",
        request={"multipart/form-data": PhotoUploadSerializer},
        responses={
            201: PhotoSerializer,
            **_UPLOAD_ERRORS,
            409: OpenApiResponse(
                description="`photo_limit_reached`: the location has as many photos as allowed."
            ),
        },
    )
    def post(self, request, location_id):
        location = self.own_location(location_id)
        photo = photo_services.location_photo_add(location=location, image=self.uploaded_image())
        return self.photo_response(photo, status.HTTP_201_CREATED)


class LocationPhotoDetailView(_OwnLocationMixin, WorkspaceMixin, APIView):
    @extend_schema(
        summary="Delete a photo of one of your locations",
        responses={
            204: None,
            404: OpenApiResponse(description="`photo_not_found`, or not your location."),
        },
    )
    def delete(self, request, location_id, photo_id):
        location = self.own_location(location_id)
        photo_services.location_photo_delete(location=location, photo_id=photo_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
