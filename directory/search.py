"""The practitioner search: criteria to ordered matches, read a page at a time.

`practitioner_search` builds the criteria (`directory.sql.SearchCriteria`) from the
parameters, `PractitionerSearch` reads them through `directory.sql`; each result gets
what it shows from its search card. `directory.selectors.practitioner_search_page` serves
the API with it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from core.errors import ApplicationError
from directory import sql
from directory.errors import LocationRequired
from directory.geo import Point
from directory.models import Photo, PractitionerProfile, ServiceMode
from directory.search_cards import ANY_MODE
from directory.search_text import resolve_query
from directory.sql import text as text_sql
from directory.text import TextQuery

DEFAULT_RADIUS_KM = 25.0
MAX_RADIUS_KM = 500.0

# Orderings the selector knows. Apps above directory (bookings) add their own on top
# (directory.search_extensions).
ORDER_DISTANCE = sql.ORDER_DISTANCE
ORDER_RATING = sql.ORDER_RATING
ORDER_PRICE = sql.ORDER_PRICE
ORDER_RELEVANCE = sql.ORDER_RELEVANCE
SEARCH_ORDERINGS = (ORDER_RELEVANCE, ORDER_DISTANCE, ORDER_RATING, ORDER_PRICE)
LOCATION_FEATURES = sql.LOCATION_FEATURES
# The photo variant a result shows (directory.photos.VARIANT_SIZES).
LIST_PHOTO_VARIANT = "small"


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
    location_features: tuple[str, ...] = (),
    substrings: str | None = None,
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

    `q` searches the text index (`directory.search_text`: stemmed, completed, corrected)
    and orders by relevance unless another `ordering` is asked; the result's
    `did_you_mean` is the corrected query when a word was corrected. `location_features`
    (LOCATION_FEATURES) must hold at a listed location (within the radius, with a point).
    `substrings` is the former search (its words anywhere in name, headline or bio), kept
    for bench.search to compare against.
    """
    if ordering is not None and ordering not in SEARCH_ORDERINGS:
        raise ApplicationError(f"Unknown ordering {ordering!r}.", code="invalid_ordering")
    if ordering == ORDER_DISTANCE and point is None:
        raise LocationRequired()
    if point is not None:
        point = Point(point.latitude, point.longitude).rounded()
    text, did_you_mean = None, None
    if q and q.strip():
        text, did_you_mean = resolve_query(q)
    if ordering == ORDER_RELEVANCE and text is None:
        ordering = None  # nothing to be relevant to: the default order
    if ordering is None:
        if text is not None:
            ordering = ORDER_RELEVANCE
        else:
            ordering = ORDER_DISTANCE if point is not None else ORDER_RATING
    criteria = sql.SearchCriteria(
        point=point,
        # Online sessions need no travel: with mode=online the radius does not
        # restrict, and the distance (to the nearest active location) only informs.
        radius_km=radius_km if point is not None and mode != ServiceMode.ONLINE else None,
        search_radius_km=radius_km if point is not None else None,
        ordering=ordering,
        mode=mode,
        modality=modality,
        language=language,
        min_rating=min_rating,
        terms=tuple((substrings or "").split()[:8]),
        max_price=max_price,
        text=text,
        location_features=tuple(f for f in sql.LOCATION_FEATURES if f in location_features),
    )
    return PractitionerSearch(criteria, did_you_mean=did_you_mean)


class PractitionerSearch:
    """The ordered matches of a search (a `core.pagination.PageSource`).

    `page()` reads a page's profiles with the total count in one statement;
    `ids()` and `ranked()` serve search extensions that re-rank the candidates.
    """

    def __init__(self, criteria: sql.SearchCriteria, *, did_you_mean: str | None = None):
        self.criteria = criteria
        self.did_you_mean = did_you_mean

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

    def ranked(
        self, ids: list, *, details: Mapping[str, Mapping] | None = None
    ) -> RankedCandidates:
        """These candidates in another order (a subset of `ids()`), loaded a page at a time;
        `details` ({attribute: {id: value}}) are set on the page's profiles."""
        return RankedCandidates(self, ids, details)

    def _profiles(self, **kwargs) -> list[PractitionerProfile]:
        profiles = sql.search_profiles(self.criteria, **kwargs)
        for profile in profiles:
            _set_result_details(profile, mode=self.criteria.mode)
        _set_photos(profiles)
        return profiles


class RankedCandidates:
    """Candidates in a ranking computed in Python (by an extension); only the requested
    page's profiles are read."""

    def __init__(
        self, search: PractitionerSearch, ids: list, details: Mapping[str, Mapping] | None = None
    ):
        self.search = search
        self.ranking = ids
        self.details = dict(details or {})

    def count(self) -> int:
        return len(self.ranking)

    def page(self, *, limit: int, offset: int = 0) -> tuple[list[PractitionerProfile], int]:
        profiles = self.search.profiles(self.ranking[offset : offset + limit])
        for name, values in self.details.items():
            for profile in profiles:
                setattr(profile, name, values.get(profile.pk))
        return profiles, len(self.ranking)

    def ids(self, *, limit: int) -> list:
        return self.ranking[:limit]

    def ranked(
        self, ids: list, *, details: Mapping[str, Mapping] | None = None
    ) -> RankedCandidates:
        return RankedCandidates(self.search, ids, {**self.details, **(details or {})})


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


def _set_photos(profiles: list[PractitionerProfile]) -> None:
    """Set `list_photo` (the profile photo's small variant: {name, width, height}, or None)
    on every profile, with one query for the whole page."""
    if not profiles:
        return
    variants = dict(
        Photo.objects.filter(
            practitioner__in=[p.pk for p in profiles], location__isnull=True
        ).values_list("practitioner_id", "variants")
    )
    for profile in profiles:
        photo = variants.get(profile.pk)
        profile.list_photo = None if photo is None else photo.get(LIST_PHOTO_VARIANT)


def practitioner_name_matches(
    query: TextQuery, *, near: Point | None, radius_km: float, limit: int
) -> list[PractitionerProfile]:
    """Published practitioners whose name matches `query` (autocomplete): nearest first
    within `radius_km` of `near`, else in the index's order (the oldest documents first)."""
    criteria = sql.SearchCriteria(
        point=near,
        radius_km=radius_km if near is not None else None,
        ordering=ORDER_DISTANCE if near is not None else sql.ORDER_INDEX,
        text=query,
    )
    if near is None:
        ids = text_sql.name_match_ids(query, limit=limit)
        profiles = sql.search_profiles(criteria, only_ids=ids) if ids else []
    else:
        profiles = sql.search_profiles(criteria, limit=limit)
    for profile in profiles:
        _set_result_details(profile, mode=None)
    return profiles
