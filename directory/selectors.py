"""Reads of the directory: the practitioner search and the public profile."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Exists,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.lookups import LessThanOrEqual

from core.errors import ApplicationError, NotFound
from directory.geo import Point, bounding_boxes, great_circle_sql, grid_cells
from directory.models import Location, Modality, PractitionerProfile, Service, ServiceMode
from directory.search_cards import ANY_MODE

DEFAULT_RADIUS_KM = 25.0
MAX_RADIUS_KM = 500.0

# Orderings the selector knows. Apps above directory (bookings) add their own on top.
ORDER_DISTANCE = "distance"
ORDER_RATING = "-rating"
ORDER_PRICE = "price"
SEARCH_ORDERINGS = (ORDER_DISTANCE, ORDER_RATING, ORDER_PRICE)


class LocationRequired(ApplicationError):
    code = "location_required"
    message = "Ordering by distance needs `near` or `location`."


def _active_services(mode: str | None) -> QuerySet[Service]:
    services = Service.objects.filter(practitioner=OuterRef("pk"), is_active=True)
    if mode:
        services = services.filter(mode=mode)
    return services


def _language_filter(language: str) -> Q:
    if connection.features.supports_json_field_contains:
        return Q(languages__contains=[language])
    # SQLite has no JSON containment; codes are validated [a-z]{2}, so the quoted
    # token can only match a whole list element of the stored JSON text.
    return Q(languages__icontains=f'"{language}"')


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
) -> SearchResults:
    """Published practitioners matching the filters, ordered, ready to paginate.

    Each profile carries `distance_km` (to its nearest active location; None
    without a point or for an online-only match), and from its search card
    `modality_slugs`, `active_locations` and `priced_services` (the cheapest
    active service of `mode`: the result's `price_from` and `currency`; see
    `_set_result_details`). With a point, only practitioners with an
    active location within `radius_km` match, except that `mode=online`
    matches practitioners offering online sessions wherever they are (online
    needs no travel).
    """
    if ordering is not None and ordering not in SEARCH_ORDERINGS:
        raise ApplicationError(f"Unknown ordering {ordering!r}.", code="invalid_ordering")
    if ordering == ORDER_DISTANCE and point is None:
        raise LocationRequired()
    if point is not None:
        point = Point(point.latitude, point.longitude).rounded()
    if ordering is None:
        ordering = ORDER_DISTANCE if point is not None else ORDER_RATING
    # The optional filters stay ORM expressions (compiled into the raw search's
    # WHERE); the common search by place alone never builds an ORM query.
    conditions = []
    if modality:
        conditions.append(
            Exists(
                PractitionerProfile.modalities.through.objects.filter(
                    practitionerprofile_id=OuterRef("pk"), modality__slug=modality
                )
            )
        )
    if language:
        conditions.append(_language_filter(language))
    if min_rating is not None:
        conditions.append(Q(rating_average__gte=min_rating))
    for term in (q or "").split()[:8]:
        conditions.append(
            Q(display_name__icontains=term) | Q(headline__icontains=term) | Q(bio__icontains=term)
        )
    if mode:
        conditions.append(Exists(_active_services(mode)))
    if max_price is not None:
        conditions.append(LessThanOrEqual(_price_from(mode), max_price))
    return SearchResults(
        point=point,
        # Online sessions need no travel: with mode=online the radius does not
        # restrict, and the distance (to the nearest active location) only informs.
        radius_km=radius_km if point is not None and mode != ServiceMode.ONLINE else None,
        conditions=conditions,
        ordering=ordering,
        mode=mode,
    )


def _price_from(mode: str | None) -> Subquery:
    return Subquery(
        _active_services(mode)
        .order_by()
        .values("practitioner")
        .annotate(m=Min("price_amount"))
        .values("m")[:1]
    )


# The search SQL leaves the profile table unaliased: the ORM-compiled filters name it so.
PROFILES = PractitionerProfile._meta.db_table

# The profile columns a search result shows (PractitionerSearchResultSerializer), its
# search card included: a page selects only these, not the bio or the booking policy.
# In the model's field order, which `Model.from_db` expects of a partial row.
RESULT_FIELDS = tuple(
    field.attname
    for field in PractitionerProfile._meta.concrete_fields
    if field.attname
    in {
        "id",
        "slug",
        "display_name",
        "headline",
        "languages",
        "offers_online",
        "rating_average",
        "rating_count",
        "search_card",
    }
)
_RESULT_COLUMNS = ", ".join(f"{PROFILES}.{name}" for name in RESULT_FIELDS)
_RESULT_COLS = [PractitionerProfile._meta.get_field(f).get_col(PROFILES) for f in RESULT_FIELDS]


class SearchResults(Sequence):
    """The ordered matches of a search, loaded lazily: `count()` and a page at a time.

    What a paginator needs (count, slicing), as a QuerySet offers it, in a fixed
    number of queries: the page's profiles, with their search cards and the total
    count, in one statement (after `plan_page`; otherwise the count separately).
    `ids()` and `profiles()` serve apps that re-rank the candidates (bookings).
    """

    def __init__(self, *, point, radius_km, conditions, ordering, mode):
        self.point = point
        self.radius_km = radius_km
        self.conditions = conditions
        self.ordering = ordering
        self.mode = mode
        self._count = None
        self._planned = None
        self._loaded_page = None

    def plan_page(self, *, limit: int, offset: int = 0) -> None:
        """Announce the slice a paginator will ask for after `count()`.

        `count()` then loads that page with the total (`COUNT(*) OVER ()`) in one
        statement, which costs little more than the page alone.
        """
        self._planned = (limit, offset)

    def count(self) -> int:
        if self._count is None and self._planned is not None:
            limit, offset = self._planned
            profiles = self._profiles(limit=limit, offset=offset, with_total=True)
            if profiles:
                self._count = profiles[0].total_count
                self._loaded_page = (offset, profiles)
        if self._count is None:
            sql, params = _search_sql(self, select="COUNT(*)")
            self._count = _search_rows(sql, params)[0][0]
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __iter__(self):
        return iter(self[:])

    def __getitem__(self, index):
        if not isinstance(index, slice):
            if index < 0:
                index += len(self)
            page = self[index : index + 1]
            if not page:
                raise IndexError(index)
            return page[0]
        start = index.start or 0
        stop = len(self) if index.stop is None else index.stop
        if index.step not in (None, 1) or start < 0 or stop < 0:
            raise ValueError("Search results support only forward slices.")
        if stop <= start:
            return []
        if self._loaded_page is not None:
            offset, profiles = self._loaded_page
            # The loaded page ends early only at the end of the results.
            if start == offset and (stop - start <= len(profiles) or stop >= self.count()):
                return profiles[: stop - start]
        return self._profiles(limit=stop - start, offset=start)

    def page_sql(self, *, limit: int, offset: int = 0) -> tuple[str, list]:
        """The statement a planned page runs (for EXPLAIN)."""
        return _search_sql(
            self, select=_RESULT_COLUMNS, order=True, limit=limit, offset=offset, with_total=True
        )

    def ids(self, *, limit: int) -> list[uuid.UUID]:
        """The first `limit` matching ids, in order."""
        sql, params = _search_sql(self, select=f"{PROFILES}.id", order=True, limit=limit)
        return [_to_uuid(row[0]) for row in _search_rows(sql, params)]

    def profiles(self, ids: list) -> list[PractitionerProfile]:
        """The profiles of `ids` (those that match), in the order of `ids`."""
        if not ids:
            return []
        rows = {p.pk: p for p in self._profiles(only_ids=ids)}
        return [rows[pk] for pk in ids if pk in rows]

    def _profiles(
        self, *, limit=None, offset=0, only_ids=None, with_total=False
    ) -> list[PractitionerProfile]:
        sql, params = _search_sql(
            self,
            select=_RESULT_COLUMNS,
            order=True,
            limit=limit,
            offset=offset,
            only_ids=only_ids,
            with_total=with_total,
        )
        profiles = _fetch_profiles(sql, params)
        for profile in profiles:
            _set_result_details(profile, mode=self.mode)
        return profiles


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


def _fetch_profiles(sql: str, params: list) -> list[PractitionerProfile]:
    """Profiles from a statement selecting `RESULT_FIELDS` first, then extra columns that
    become attributes: what `Manager.raw` does, without its per-query column mapping."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        extra_names = [column[0] for column in cursor.description[len(RESULT_FIELDS) :]]
        rows = cursor.fetchall()
    if not rows:
        return []
    query = PractitionerProfile.objects.none().query
    compiler = query.get_compiler(connection=connection)
    converters = compiler.get_converters(_RESULT_COLS)
    if converters:
        rows = compiler.apply_converters(rows, converters)
    width, alias = len(RESULT_FIELDS), connection.alias
    profiles = []
    for row in rows:
        profile = PractitionerProfile.from_db(alias, RESULT_FIELDS, row[:width])
        for name, value in zip(extra_names, row[width:], strict=True):
            setattr(profile, name, value)
        profiles.append(profile)
    return profiles


def _search_rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# Ids as raw SQL returns them (a hex string on SQLite, a UUID on PostgreSQL) to UUIDs.
_to_uuid = PractitionerProfile._meta.pk.to_python


def _search_sql(
    search: SearchResults,
    *,
    select: str,
    order: bool = False,
    limit: int | None = None,
    offset: int = 0,
    only_ids: list | None = None,
    with_total: bool = False,
) -> tuple[str, list]:
    """The search as one SQL statement selecting `select` from the profiles table.

    Raw SQL because building and compiling the equivalent ORM query (a
    subquery per location, annotations, ordering) cost several times more than
    running it: this is the hottest read of the API. The grid cells and the
    bounding boxes let the location index prune; the great-circle distance
    decides. Every value is bound, so searches of the same shape (and number of
    grid cells) share one statement text, which SQLite compiles once. A search by
    place alone, nearest first, ranks and counts listed locations without touching
    the profiles, then reads the page's profiles.
    """
    p = PROFILES
    total = "COUNT(*) OVER ()" if with_total else None
    distance, distance_params = None, []
    if search.point is not None:
        distance, distance_params = great_circle_sql(
            search.point, "l.latitude", "l.longitude", vendor=connection.vendor
        )
    limit_sql, limit_params = "", []
    if limit is not None:
        limit_sql, limit_params = " LIMIT %s OFFSET %s", [limit, offset]

    if search.radius_km is not None:
        near, near_params = _near_sql(search, distance, distance_params)
        by_place_alone = (
            not search.conditions and only_ids is None and search.ordering == ORDER_DISTANCE
        )
        if by_place_alone:
            if not order:
                return f"SELECT {select} FROM {near}", near_params
            page = f"SELECT near.id, near.distance_km{f', {total} AS total_count' if total else ''}"
            page += f" FROM {near} ORDER BY near.distance_km, near.id{limit_sql}"
            columns = f"{select}, page.distance_km{', page.total_count' if total else ''}"
            sql = (
                f"SELECT {columns} FROM ({page}) page JOIN {p} ON {p}.id = page.id"
                f" ORDER BY page.distance_km, page.id"
            )
            return sql, [*near_params, *limit_params]
        source, source_params = f"{near} JOIN {p} ON {p}.id = near.id", near_params
        distance_column, distance_column_params = "near.distance_km", []
    else:
        source, source_params = p, []
        distance_column, distance_column_params = "NULL", []
        if distance is not None:
            distance_column = (
                f"(SELECT MIN({distance}) FROM directory_location l"
                f" WHERE l.practitioner_id = {p}.id AND l.is_active)"
            )
            distance_column_params = distance_params

    columns, column_params = [select], []
    where, where_params = [f"{p}.is_published"], []
    if search.conditions:
        where.append(_conditions_sql(search.conditions, where_params))
    if only_ids is not None:
        prep = PractitionerProfile._meta.pk.get_db_prep_value
        where.append(f"{p}.id IN ({', '.join(['%s'] * len(only_ids))})")
        where_params += [prep(pk, connection) for pk in only_ids]
    if total:
        columns.append(f"{total} AS total_count")
    order_sql = ""
    if order:
        columns.append(f"{distance_column} AS distance_km")
        column_params += distance_column_params
        by_distance = ["distance_km ASC NULLS LAST"] if search.point is not None else []
        if search.ordering == ORDER_PRICE:
            services = f"s.practitioner_id = {p}.id AND s.is_active"
            if search.mode:
                services += " AND s.mode = %s"
                column_params.append(search.mode)
            columns.append(
                f"(SELECT MIN(s.price_amount) FROM directory_service s WHERE {services})"
                " AS price_from"
            )
            keys = ["price_from ASC NULLS LAST", *by_distance]
        elif search.ordering == ORDER_RATING:
            keys = [f"{p}.rating_average DESC NULLS LAST", f"{p}.rating_count DESC", *by_distance]
        else:
            keys = by_distance
        order_sql = " ORDER BY " + ", ".join([*keys, f"{p}.id ASC"])
    sql = f"SELECT {', '.join(columns)} FROM {source} WHERE {' AND '.join(where)}{order_sql}"
    return sql + limit_sql, [*column_params, *source_params, *where_params, *limit_params]


def _near_sql(search: SearchResults, distance: str, distance_params: list) -> tuple[str, list]:
    """Listed practitioners within the radius, once each at their nearest listed location:
    a derived table `near(id, distance_km)`."""
    boxes = bounding_boxes(search.point, search.radius_km)
    cells = grid_cells(boxes)
    if isinstance(cells, tuple):
        cell_sql, params = "l.cell BETWEEN %s AND %s", list(cells)
    else:
        cell_sql, params = f"l.cell IN ({', '.join(['%s'] * len(cells))})", list(cells)
    box_sql = []
    for box in boxes:
        box_sql.append("(l.latitude BETWEEN %s AND %s AND l.longitude BETWEEN %s AND %s)")
        params += [box.min_latitude, box.max_latitude, box.min_longitude, box.max_longitude]
    sql = (
        f"(SELECT l.practitioner_id AS id, MIN({distance}) AS distance_km"
        f" FROM directory_location l WHERE l.is_listed AND {cell_sql}"
        f" AND ({' OR '.join(box_sql)}) AND {distance} <= %s GROUP BY l.practitioner_id) near"
    )
    return sql, [*distance_params, *params, *distance_params, search.radius_km]


def _conditions_sql(conditions: list, params: list) -> str:
    """The ORM filters as SQL about the profile table (unaliased, as the ORM names it)."""
    query = PractitionerProfile.objects.filter(*conditions).query
    compiler = query.get_compiler(connection=connection)
    sql, condition_params = compiler.compile(query.where)
    params += condition_params
    return sql


def practitioner_get_public(*, key: str) -> PractitionerProfile:
    """A published profile by id or slug, with its modalities (by name), active locations
    (oldest first) and active services (cheapest first, the first gives `price_from`)."""
    qs = PractitionerProfile.objects.filter(is_published=True)
    try:
        qs = qs.filter(pk=uuid.UUID(key))
    except ValueError:
        qs = qs.filter(slug=key)
    qs = qs.prefetch_related(
        Prefetch("modalities", queryset=Modality.objects.order_by("name")),
        Prefetch(
            "locations",
            queryset=Location.objects.filter(is_active=True).order_by("created_at", "pk"),
            to_attr="active_locations",
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
