"""Reads of the directory: the practitioner search and the public profile."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

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

from core.errors import ApplicationError, NotFound
from core.pagination import Page, PageRequest, paginate
from directory import sql
from directory.errors import LocationRequired
from directory.geo import Point, geocode
from directory.models import Location, Modality, Photo, PractitionerProfile, Service, ServiceMode
from directory.ratings import rating_source
from directory.search_cards import ANY_MODE
from directory.search_extensions import search_extensions

DEFAULT_RADIUS_KM = 25.0
MAX_RADIUS_KM = 500.0

# Orderings the selector knows. Apps above directory (bookings) add their own on top
# (directory.search_extensions).
ORDER_DISTANCE = sql.ORDER_DISTANCE
ORDER_RATING = sql.ORDER_RATING
ORDER_PRICE = sql.ORDER_PRICE
SEARCH_ORDERINGS = (ORDER_DISTANCE, ORDER_RATING, ORDER_PRICE)


def practitioner_search_page(*, params: Mapping, page: PageRequest) -> Page:
    """The API's search: the parameters validated by `PractitionerSearchFilterSet` (those
    of the registered search extensions included) to one page of results with the total.

    Geocodes `location`, searches, lets every extension refine the candidates, then
    reads the one page (in one statement with its total, usually).
    """
    point = params.get("near")
    if point is None and params.get("location"):
        point = geocode(params["location"])
    ordering = params.get("ordering") or None
    radius = params.get("radius_km")
    candidates = practitioner_search(
        point=point,
        radius_km=float(radius) if radius is not None else DEFAULT_RADIUS_KM,
        modality=params.get("modality") or None,
        language=params.get("language") or None,
        mode=params.get("mode") or None,
        max_price=params.get("max_price"),
        min_rating=params.get("min_rating"),
        q=params.get("q") or None,
        ordering=ordering if ordering in SEARCH_ORDERINGS else None,
    )
    for extension in search_extensions():
        candidates = extension.refine(candidates, params)
    return paginate(candidates, page)


def practitioner_search(
    *,
    point: Point | None = None,
    radius_km: float = DEFAULT_RADIUS_KM,
    modality: str | None = None,
    language: str | None = None,
    mode: str | None = None,
    max_price: int | None = None,
    min_rating: Decimal | float | None = None,
    q: str | None = None,
    ordering: str | None = None,
) -> PractitionerSearch:
    """Published practitioners matching the filters, ordered, read a page at a time.

    Each profile carries `distance_km` (to its nearest active location; None
    without a point or for an online-only match), its rating (`rating_average`,
    `rating_count`), and from its search card `modality_slugs`, `active_locations`
    and `priced_services` (the cheapest active service of `mode`: the result's
    `price_from` and `currency`; see `_set_result_details`). With a point, only
    practitioners with an active location within `radius_km` match, except that
    `mode=online` matches practitioners offering online sessions wherever they are
    (online needs no travel).
    """
    if ordering is not None and ordering not in SEARCH_ORDERINGS:
        raise ApplicationError(f"Unknown ordering {ordering!r}.", code="invalid_ordering")
    if ordering == ORDER_DISTANCE and point is None:
        raise LocationRequired()
    if point is not None:
        point = Point(point.latitude, point.longitude).rounded()
    if ordering is None:
        ordering = ORDER_DISTANCE if point is not None else ORDER_RATING
    criteria = sql.SearchCriteria(
        point=point,
        # Online sessions need no travel: with mode=online the radius does not
        # restrict, and the distance (to the nearest active location) only informs.
        radius_km=radius_km if point is not None and mode != ServiceMode.ONLINE else None,
        ordering=ordering,
        mode=mode,
        modality=modality,
        language=language,
        min_rating=min_rating,
        terms=tuple((q or "").split()[:8]),
        max_price=max_price,
    )
    return PractitionerSearch(criteria)


class PractitionerSearch:
    """The ordered matches of a search (a `core.pagination.PageSource`).

    `page()` reads a page's profiles with the total count in one statement;
    `ids()` and `ranked()` serve search extensions that re-rank the candidates.
    """

    def __init__(self, criteria: sql.SearchCriteria):
        self.criteria = criteria

    def count(self) -> int:
        return sql.search_count(self.criteria)

    def page(self, *, limit: int, offset: int = 0) -> tuple[list[PractitionerProfile], int | None]:
        profiles = self._profiles(limit=limit, offset=offset, with_total=True)
        return profiles, (profiles[0].total_count if profiles else None)

    def page_sql(self, *, limit: int, offset: int = 0) -> tuple[str, list]:
        """The statement `page()` runs (for EXPLAIN)."""
        return sql.search_page_sql(self.criteria, limit=limit, offset=offset)

    def __iter__(self):
        """Every match, in order (tools and tests; the API reads pages)."""
        return iter(self._profiles())

    def ids(self, *, limit: int) -> list[uuid.UUID]:
        """The first `limit` matching ids, in order."""
        return sql.search_ids(self.criteria, limit=limit)

    def profiles(self, ids: list) -> list[PractitionerProfile]:
        """The profiles of `ids` (those that match), in the order of `ids`."""
        if not ids:
            return []
        rows = {p.pk: p for p in self._profiles(only_ids=ids)}
        return [rows[pk] for pk in ids if pk in rows]

    def ranked(self, ids: list) -> RankedCandidates:
        """These candidates in another order (a subset of `ids()`), loaded a page at a time."""
        return RankedCandidates(self, ids)

    def _profiles(self, **kwargs) -> list[PractitionerProfile]:
        profiles = sql.search_profiles(self.criteria, **kwargs)
        for profile in profiles:
            _set_result_details(profile, mode=self.criteria.mode)
        return profiles


class RankedCandidates:
    """Candidates in a ranking computed in Python (by an extension); only the requested
    page's profiles are read."""

    def __init__(self, search: PractitionerSearch, ids: list):
        self.search = search
        self.ranking = ids

    def count(self) -> int:
        return len(self.ranking)

    def page(self, *, limit: int, offset: int = 0) -> tuple[list[PractitionerProfile], int]:
        return self.search.profiles(self.ranking[offset : offset + limit]), len(self.ranking)

    def ids(self, *, limit: int) -> list:
        return self.ranking[:limit]

    def ranked(self, ids: list) -> RankedCandidates:
        return RankedCandidates(self.search, ids)


@dataclass(frozen=True, slots=True)
class LocationBrief:
    id: uuid.UUID
    city: str
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Price:
    price_amount: int
    currency: str


def _set_result_details(profile: PractitionerProfile, *, mode: str | None) -> None:
    """Set what a search result shows besides its row, from the profile's search card.

    `modality_slugs` (by name), `active_locations` (LocationBrief, oldest first) and
    `priced_services`: the cheapest active service of `mode` (of any mode without
    one) as a one-item list of Price, or empty.
    """
    card = profile.search_card
    profile.modality_slugs = card.get("modalities", [])
    profile.active_locations = [
        LocationBrief(uuid.UUID(brief["id"]), brief["city"], brief["latitude"], brief["longitude"])
        for brief in card.get("locations", ())
    ]
    cheapest = card.get("cheapest", {}).get(mode or ANY_MODE)
    profile.priced_services = [] if cheapest is None else [Price(**cheapest)]


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
