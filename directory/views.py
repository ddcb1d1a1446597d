"""HTTP endpoints of the directory: public search and profiles, the practitioner workspace."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from directory import selectors
from directory.filters import PractitionerSearchFilterSet
from directory.models import PractitionerProfile
from directory.serializers import (
    ModalitySerializer,
    PractitionerPublicSerializer,
    PractitionerSearchResultSerializer,
)


class ModalityListView(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = ModalitySerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return selectors.modality_list()


class PractitionerSearchView(generics.ListAPIView):
    """Public search of published practitioners.

    Subclass it to extend the search: set `filterset_class` to a subclass of
    `PractitionerSearchFilterSet` (new parameters; `refine_candidates` to
    filter or reorder the candidates before pagination).
    """

    permission_classes = [AllowAny]
    serializer_class = PractitionerSearchResultSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = PractitionerSearchFilterSet

    def get_queryset(self):
        return PractitionerProfile.objects.all()

    @extend_schema(summary="Search practitioners")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PractitionerDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="A published practitioner by id or slug",
        parameters=[OpenApiParameter("key", str, OpenApiParameter.PATH, description="id or slug")],
        responses=PractitionerPublicSerializer,
    )
    def get(self, request, key: str):
        profile = selectors.practitioner_get_public(key=key)
        return Response(PractitionerPublicSerializer(profile).data)
