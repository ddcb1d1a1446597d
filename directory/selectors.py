"""Reads of the directory: the practitioner search, suggestions, the public profile."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import (
    DecimalField,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from core.errors import NotFound
from core.pagination import Page, PageRequest, paginate
from directory import autocomplete, facets
from directory.geo import Point, ResolvedPlace
from directory.geocoding import coordinates_place, country_clean, resolve_place
from directory.models import Location, Modality, Photo, PractitionerProfile, Service
from directory.ratings import rating_source
from directory.search import (  # noqa: F401 (the search's names, for its callers)
    DEFAULT_RADIUS_KM,
    LOCATION_FEATURES,
    MAX_RADIUS_KM,
    ORDER_DISTANCE,
    ORDER_PRICE,
    ORDER_RATING,
    ORDER_RELEVANCE,
    SEARCH_ORDERINGS,
    LocationBrief,
    PractitionerSearch,
    Price,
    RankedCandidates,
    practitioner_search,
)
from directory.search_extensions import search_extensions


@dataclass(frozen=True)
class SearchPage:
    """A page of the search, with the corrected query (`did_you_mean`, or None), the place
    searched around (None without one) and, when asked, the counts per facet value
    (`directory.facets`)."""

    page: Page
    did_you_mean: str | None
    facets: dict | None
    place: ResolvedPlace | None = None


def practitioner_search_page(*, params: Mapping, page: PageRequest) -> SearchPage:
    """The API's search: the parameters validated by `PractitionerSearchFilterSet` (those
    of the registered search extensions included) to one page of results with the total.

    Resolves `location` (in `country`, when given) or takes `near`, searches, lets every
    extension refine the candidates, then reads the one page (in one statement with its
    total, usually, and one more for its photos), and the facets.
    """
    wanted_facets = facets.parse(params.get("facets") or "")
    country = country_clean(params.get("country"))
    place = None
    if params.get("near") is not None:
        place = coordinates_place(params["near"])
    elif params.get("location"):
        place = resolve_place(params["location"], country=country)
    point = None if place is None else place.point
    ordering = params.get("ordering") or None
    radius = params.get("radius_km")
    search = practitioner_search(
        point=point,
        radius_km=float(radius) if radius is not None else DEFAULT_RADIUS_KM,
        modality=params.get("modality") or None,
        language=params.get("language") or None,
        mode=params.get("mode") or None,
        max_price=params.get("max_price"),
        min_rating=params.get("min_rating"),
        q=params.get("q") or None,
        ordering=ordering if ordering in SEARCH_ORDERINGS else None,
        location_features=tuple(n for n in LOCATION_FEATURES if params.get(n) == "true"),
    )
    candidates = search
    for extension in search_extensions():
        candidates = extension.refine(candidates, params)
    result = paginate(candidates, page)
    counts = facets.facet_counts(search.criteria, wanted_facets) if wanted_facets else None
    return SearchPage(result, search.did_you_mean, counts, place)


def suggestions(
    *,
    q: str,
    near: Point | None,
    country: str | None = None,
    limit: int = autocomplete.MAX_SUGGESTIONS,
):
    """Autocomplete: practitioners, modalities and places (of `country`, an ISO 3166-1
    alpha-2 code, when given) for a typed prefix (`directory.autocomplete`)."""
    return autocomplete.suggest(q, near=near, country=country_clean(country), limit=limit)


def _with_rating(profiles: QuerySet[PractitionerProfile]) -> QuerySet[PractitionerProfile]:
    """Annotated with `rating_average` and `rating_count` from the registered rating source."""
    source = rating_source()
    if source is None:
        return profiles.annotate(
            rating_average=Value(None, output_field=DecimalField(max_digits=3, decimal_places=2)),
            rating_count=Value(0),
        )
    rating = source.model.objects.filter(**{source.practitioner_field: OuterRef("pk")})
    return profiles.annotate(
        rating_average=Subquery(rating.values(source.average_field)[:1]),
        rating_count=Coalesce(
            Subquery(rating.values(source.count_field)[:1]), 0, output_field=IntegerField()
        ),
    )


def practitioner_get_public(*, key: str) -> PractitionerProfile:
    """A published profile by id or slug, with its modalities (by name), active locations
    (oldest first, with their photos), active services (cheapest first, the first gives
    `price_from`) and its profile photo (`profile_photos`, one or none)."""
    qs = _with_rating(PractitionerProfile.objects.filter(is_published=True))
    try:
        qs = qs.filter(pk=uuid.UUID(key))
    except ValueError:
        qs = qs.filter(slug=key)
    qs = qs.prefetch_related(
        Prefetch("modalities", queryset=Modality.objects.order_by("name")),
        Prefetch(
            "locations",
            queryset=Location.objects.filter(is_active=True)
            .order_by("created_at", "pk")
            .prefetch_related("photos"),
            to_attr="active_locations",
        ),
        Prefetch(
            "photos", queryset=Photo.objects.filter(location__isnull=True), to_attr="profile_photos"
        ),
        Prefetch(
            "services",
            queryset=Service.objects.filter(is_active=True).order_by("price_amount", "pk"),
            to_attr="priced_services",
        ),
    )
    profile = qs.first()
    if profile is None:
        raise NotFound("No published practitioner with this id or slug.")
    return profile


def modality_list() -> QuerySet[Modality]:
    return Modality.objects.order_by("name")


def published_practitioner_get(*, id_or_slug: str) -> PractitionerProfile:
    """A published practitioner by UUID or slug (a slug that looks like a UUID still works)."""
    qs = PractitionerProfile.objects.filter(is_published=True)
    profile = None
    with contextlib.suppress(ValueError):
        profile = qs.filter(pk=uuid.UUID(str(id_or_slug))).first()
    if profile is None:
        profile = qs.filter(slug=id_or_slug).first()
    if profile is None:
        raise NotFound(
            "No published practitioner with this id or slug.", code="practitioner_not_found"
        )
    return profile
