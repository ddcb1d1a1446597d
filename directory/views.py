"""HTTP endpoints of the directory: public search and profiles, the practitioner workspace."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsPractitioner
from directory import selectors, services
from directory.filters import search_filterset_class
from directory.models import AvailabilityRule, Location, PractitionerProfile, Service, TimeOff
from directory.search_serializers import (
    AutocompleteQuerySerializer,
    AutocompleteSerializer,
    PlaceSerializer,
    PractitionerSearchPageSerializer,
)
from directory.serializers import (
    AvailabilityRuleSerializer,
    LocationSerializer,
    ModalitySerializer,
    PractitionerPublicSerializer,
    PractitionerSearchResultSerializer,
    ProfileSerializer,
    ServiceSerializer,
    TimeOffSerializer,
)


class ModalityListView(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = ModalitySerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return selectors.modality_list()


class PractitionerSearchView(generics.ListAPIView):
    """Published practitioners near a point or a place, filtered and ordered as asked.

    `q` finds words of the name, modalities, headline and bio, also in other forms
    ("massages" finds "massage") and with a small typo (then `did_you_mean` says what was
    searched for); it orders by relevance unless another `ordering` is asked: how well
    the words match (in the name best, then modalities, headline, bio), blended with the
    distance when there is a location (70% relevance, 30% proximity, which halves every
    10 km). `ordering=next_available` with `q` puts the soonest free slot first and the
    most relevant among equally soon ones.

    With `available_from`/`available_to`, only practitioners with a free slot in that
    window; `ordering=next_available` puts the soonest free slot first. `facets` adds
    counts per filter value (availability aside).

    400 codes besides `invalid`: `query_too_long`, `query_too_many_words`,
    `unknown_facet`, `address_not_found`, `location_required`.
    """

    permission_classes = [AllowAny]
    serializer_class = PractitionerSearchResultSerializer
    # For the OpenAPI parameters; `list` validates with the same FilterSet itself.
    filter_backends = [DjangoFilterBackend]

    @property
    def filterset_class(self):
        return search_filterset_class()

    def get_queryset(self):
        # The search selects its own rows; the FilterSet (and the schema) want the model.
        return PractitionerProfile.objects.none()

    # Errors (400 `invalid`/`address_not_found`/`location_required`, 503) are the
    # documented defaults of every endpoint.
    @extend_schema(
        summary="Search practitioners", responses={200: PractitionerSearchPageSerializer}
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        filterset = self.filterset_class(
            request.query_params, queryset=self.get_queryset(), request=request
        )
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        found = selectors.practitioner_search_page(
            params=filterset.form.cleaned_data, page=self.paginator.page_request(request)
        )
        data = self.get_serializer(found.page.rows, many=True).data
        response = self.paginator.page_response(request, found.page, data)
        response.data["place"] = None if found.place is None else PlaceSerializer(found.place).data
        if filterset.form.cleaned_data.get("q"):
            response.data["did_you_mean"] = found.did_you_mean
        if found.facets is not None:
            response.data["facets"] = found.facets
        return response


class AutocompleteView(APIView):
    """Suggestions while typing `q`: practitioners (by name), modalities and places, up to
    10, each with the search parameters to run next (`params`). The last word is a
    prefix; a typo in it is forgiven when nothing starts with it. With `near`, nearby
    places come first and practitioners within 25 km.

    400 codes besides `invalid`: `query_too_long`, `query_too_many_words`.
    """

    permission_classes = [AllowAny]

    @extend_schema(
        summary="Suggestions while typing",
        parameters=[AutocompleteQuerySerializer],
        responses=AutocompleteSerializer,
    )
    def get(self, request):
        query = AutocompleteQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        suggestions = selectors.suggestions(
            q=query.validated_data["q"],
            near=query.validated_data.get("near"),
            country=query.validated_data.get("country"),
        )
        return Response(AutocompleteSerializer({"results": suggestions}).data)


class PractitionerDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="A published practitioner by id or slug",
        parameters=[OpenApiParameter("key", str, OpenApiParameter.PATH, description="id or slug")],
        responses=PractitionerPublicSerializer,
    )
    def get(self, request, key: str):
        profile = selectors.practitioner_get_public(key=key)
        return Response(PractitionerPublicSerializer(profile, context={"request": request}).data)


# --- Practitioner workspace ---------------------------------------------------------


class _WorkspaceMixin:
    """Only practitioners; each sees only its own objects (others answer 404)."""

    permission_classes = [IsAuthenticated, IsPractitioner]
    filter_backends = []

    @property
    def profile(self) -> PractitionerProfile:
        return self.request.user.practitioner_profile


class ProfileView(_WorkspaceMixin, APIView):
    @extend_schema(summary="Your practitioner profile", responses=ProfileSerializer)
    def get(self, request):
        return Response(ProfileSerializer(self.profile, context={"request": request}).data)

    @extend_schema(
        summary="Change your profile; `is_published: true` publishes it",
        request=ProfileSerializer,
        responses={
            200: ProfileSerializer,
            400: OpenApiResponse(
                description="`invalid` with field errors; `reminder_offsets_invalid`: "
                "`reminder_offsets_minutes` is not a list of at most 3 distinct integers "
                "from 15 to 10080"
            ),
            409: OpenApiResponse(
                description="`profile_incomplete`: publishing needs what `missing` lists; "
                "`email_unverified`: publishing needs a verified e-mail address"
            ),
        },
    )
    def patch(self, request):
        serializer = ProfileSerializer(self.profile, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        profile = services.profile_update(profile=self.profile, **serializer.validated_data)
        return Response(ProfileSerializer(profile, context={"request": request}).data)


class _WorkspaceViewSet(_WorkspaceMixin, viewsets.ModelViewSet):
    lookup_value_converter = "uuid"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation, no user
            return self.serializer_class.Meta.model.objects.none()
        return self.own_objects()

    def perform_create(self, serializer):
        serializer.instance = self.create_object(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = self.update_object(serializer.instance, **serializer.validated_data)


class LocationViewSet(_WorkspaceViewSet):
    """Your locations. DELETE deactivates (bookings keep their history)."""

    serializer_class = LocationSerializer

    def own_objects(self):
        return (
            Location.objects.filter(practitioner=self.profile, is_active=True)
            .order_by("created_at", "pk")
            .prefetch_related("photos")
        )

    def create_object(self, **fields):
        return services.location_create(profile=self.profile, **fields)

    def update_object(self, location, **fields):
        return services.location_update(location=location, **fields)

    def perform_destroy(self, instance):
        services.location_deactivate(location=instance)


_PRICE_ERRORS = OpenApiResponse(
    description="`invalid` with field errors; about `price`: `amount_invalid` (not a whole, "
    'non-negative number of minor units: 85.0, "85" and 85.5 are refused), '
    "`amount_below_minimum` (a paid price below the smallest charge in its currency, "
    "given as `minimum`; 0 is free), `currency_required` (no currency: there is no "
    "default), `currency_unsupported` (not an upper-case code the marketplace takes)"
)
_WALL_TIME_ERRORS = OpenApiResponse(
    description="`invalid` with field errors; `local_time_nonexistent` (a wall-clock time "
    "the clocks skip when summer time starts), `local_time_ambiguous` (one they show "
    "twice when it ends): send such a time with its UTC offset"
)


@extend_schema_view(
    create=extend_schema(responses={201: ServiceSerializer, 400: _PRICE_ERRORS}),
    update=extend_schema(responses={200: ServiceSerializer, 400: _PRICE_ERRORS}),
    partial_update=extend_schema(responses={200: ServiceSerializer, 400: _PRICE_ERRORS}),
)
class ServiceViewSet(_WorkspaceViewSet):
    """Your services, inactive ones included. DELETE deactivates (bookings point at it)."""

    serializer_class = ServiceSerializer

    def own_objects(self):
        return Service.objects.filter(practitioner=self.profile).order_by("created_at", "pk")

    def create_object(self, **fields):
        return services.service_create(profile=self.profile, **fields)

    def update_object(self, service, **fields):
        return services.service_update(service=service, **fields)

    def perform_destroy(self, instance):
        services.service_deactivate(service=instance)


class AvailabilityRuleViewSet(_WorkspaceViewSet):
    """Your weekly availability: local wall-clock times in your profile's timezone."""

    serializer_class = AvailabilityRuleSerializer

    def own_objects(self):
        return AvailabilityRule.objects.filter(practitioner=self.profile).order_by(
            "weekday", "start_minute", "pk"
        )

    def create_object(self, **fields):
        return services.availability_rule_create(profile=self.profile, **fields)

    def update_object(self, rule, **fields):
        return services.availability_rule_update(rule=rule, **fields)

    def perform_destroy(self, instance):
        services.availability_rule_delete(rule=instance)


@extend_schema_view(
    create=extend_schema(responses={201: TimeOffSerializer, 400: _WALL_TIME_ERRORS}),
    update=extend_schema(responses={200: TimeOffSerializer, 400: _WALL_TIME_ERRORS}),
    partial_update=extend_schema(responses={200: TimeOffSerializer, 400: _WALL_TIME_ERRORS}),
)
class TimeOffViewSet(_WorkspaceViewSet):
    """Your time off: no slots inside these intervals. Times without an offset are wall-clock
    times in your profile's zone (`2026-12-24T00:00:00` is midnight there)."""

    serializer_class = TimeOffSerializer

    def own_objects(self):
        return TimeOff.objects.filter(practitioner=self.profile).order_by("starts_at", "pk")

    def create_object(self, **fields):
        return services.time_off_create(profile=self.profile, **fields)

    def update_object(self, time_off, **fields):
        return services.time_off_update(time_off=time_off, **fields)

    def perform_destroy(self, instance):
        services.time_off_delete(time_off=instance)
