"""Every raw SQL statement of directory: the practitioner search, the search-card rewrite,
the demo seeder's bulk inserts.

Table and column names come from the models' `_meta`; what SQLite and PostgreSQL spell
differently comes from `core.dialect`. The search is raw SQL because building and
compiling the equivalent ORM query (a subquery per location, annotations, ordering)
cost several times more than running it: it is the hottest read of the API.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from types import SimpleNamespace

from django.db import connection, connections

from core import dialect
from directory.geo import EARTH_RADIUS_KM, Point, bounding_boxes, grid_cells
from directory.models import Location, Modality, PractitionerProfile, Service
from directory.ratings import RatingSource, rating_source

ORDER_DISTANCE = "distance"
ORDER_RATING = "-rating"
ORDER_PRICE = "price"


def _columns(model, *names: str) -> SimpleNamespace:
    return SimpleNamespace(**{name: model._meta.get_field(name).column for name in names})


# The profile table stays unaliased (the statements always named it so); the others are
# aliased: l locations, s services, r ratings.
P = PractitionerProfile._meta.db_table
_P = _columns(PractitionerProfile, "id", "is_published", "languages")
_P_TEXT = [
    PractitionerProfile._meta.get_field(name).column for name in ("display_name", "headline", "bio")
]
LOCATIONS = Location._meta.db_table
_L = _columns(Location, "practitioner", "latitude", "longitude", "is_active", "is_listed", "cell")
SERVICES = Service._meta.db_table
_S = _columns(Service, "practitioner", "is_active", "mode", "price_amount")
_LINK_MODEL = PractitionerProfile.modalities.through
MODALITY_LINKS = _LINK_MODEL._meta.db_table
_ML = _columns(_LINK_MODEL, "practitionerprofile", "modality")
MODALITIES = Modality._meta.db_table
_M = _columns(Modality, "id", "slug")

# The profile columns a search result shows (PractitionerSearchResultSerializer), its
# search card included: a page selects only these, not the bio or the booking policy.
# In the model's field order, which `Model.from_db` expects of a partial row.
RESULT_FIELDS = tuple(
    field
    for field in PractitionerProfile._meta.concrete_fields
    if field.attname
    in {"id", "slug", "display_name", "headline", "languages", "offers_online", "search_card"}
)
RESULT_ATTNAMES = tuple(field.attname for field in RESULT_FIELDS)
_RESULT_COLUMNS = ", ".join(f"{P}.{field.column}" for field in RESULT_FIELDS)


@dataclass(frozen=True)
class SearchCriteria:
    """A practitioner search: published profiles matching every given filter.

    With `radius_km`, only practitioners with a listed location within it of `point`
    match; `point` alone (mode=online) only gives each result its distance.
    """

    point: Point | None
    radius_km: float | None
    ordering: str
    mode: str | None = None
    modality: str | None = None
    language: str | None = None
    min_rating: Decimal | float | None = None
    terms: tuple[str, ...] = ()
    max_price: int | None = None

    @property
    def has_filters(self) -> bool:
        return bool(
            self.modality
            or self.language
            or self.min_rating is not None
            or self.terms
            or self.mode
            or self.max_price is not None
        )


def great_circle_sql(
    point: Point, latitude_sql: str, longitude_sql: str, *, vendor: str
) -> tuple[str, list[float]]:
    """Haversine distance in km from point to two SQL column expressions: SQL and its params.

    Uses only SQL math functions both databases have (SQLite's built-in math
    functions, which Django registers itself where SQLite lacks them). The
    point's constants are bound, not inlined, so the statement's text is the
    same for every point and SQLite reuses its compiled form: compiling it
    cost as much as running it. The same formula as `directory.geo.great_circle_km`.
    """
    lat0 = math.radians(point.latitude)
    diameter, least = repr(2 * EARTH_RADIUS_KM), dialect.least_function(vendor=vendor)
    lat, lng = latitude_sql, longitude_sql
    sql = (
        f"({diameter} * ASIN(SQRT({least}((POWER(SIN((RADIANS({lat}) - %s) / 2), 2)"
        f" + %s * COS(RADIANS({lat})) * POWER(SIN((RADIANS({lng}) - %s) / 2), 2)), 1.0))))"
    )
    return sql, [lat0, math.cos(lat0), math.radians(point.longitude)]


# --- The search -------------------------------------------------------------------


def search_page_sql(criteria: SearchCriteria, *, limit: int, offset: int = 0) -> tuple[str, list]:
    """The statement of a page with its total (for EXPLAIN)."""
    return _search_sql(
        criteria, select="profiles", order=True, limit=limit, offset=offset, total=True
    )


def search_count(criteria: SearchCriteria) -> int:
    sql, params = _search_sql(criteria, select="count")
    return _rows(sql, params)[0][0]


# Ids as raw SQL returns them (a hex string on SQLite, a UUID on PostgreSQL) to UUIDs.
_to_uuid = PractitionerProfile._meta.pk.to_python


def search_ids(criteria: SearchCriteria, *, limit: int) -> list[uuid.UUID]:
    """The first `limit` matching ids, in order."""
    sql, params = _search_sql(criteria, select="id", order=True, limit=limit)
    return [_to_uuid(row[0]) for row in _rows(sql, params)]


def search_profiles(
    criteria: SearchCriteria, *, limit=None, offset=0, only_ids=None, with_total=False
) -> list[PractitionerProfile]:
    """Matching profiles in order, with the result's columns only. Each has `rating_average`
    and `rating_count`, `distance_km` (None without a point), with `with_total` also
    `total_count`, and ordered by price `price_from`."""
    sql, params = _search_sql(
        criteria,
        select="profiles",
        order=True,
        limit=limit,
        offset=offset,
        only_ids=only_ids,
        total=with_total,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        extra_names = [column[0] for column in cursor.description[len(RESULT_FIELDS) :]]
        rows = cursor.fetchall()
    if not rows:
        return []
    width, alias = len(RESULT_FIELDS), connection.alias
    result_converters, extra_converters = _converters(alias, rating_source())
    converters = [*result_converters, *(extra_converters.get(name) for name in extra_names)]
    if not any(converters):
        converters = None
    profiles = []
    for row in rows:
        if converters:
            row = [
                value if f is None else f(value) for f, value in zip(converters, row, strict=True)
            ]
        profile = PractitionerProfile.from_db(alias, RESULT_ATTNAMES, row[:width])
        for name, value in zip(extra_names, row[width:], strict=True):
            setattr(profile, name, value)
        profiles.append(profile)
    return profiles


@cache
def _converters(alias: str, source: RatingSource | None) -> tuple[list, dict]:
    """The result fields' converters, in order, and the extra columns' by name."""
    extra = {}
    if source is not None:
        (extra["rating_average"],) = dialect.column_converters([source.average], using=alias)
    return dialect.column_converters(RESULT_FIELDS, using=alias), extra


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _rating_join(source: RatingSource | None) -> str:
    if source is None:
        return ""
    return f" LEFT JOIN {source.table} r ON r.{source.practitioner_column} = {P}.{_P.id}"


def _rating_columns(source: RatingSource | None) -> str:
    if source is None:
        return "NULL AS rating_average, 0 AS rating_count"
    average, count = source.average_column, source.count_column
    return f"r.{average} AS rating_average, COALESCE(r.{count}, 0) AS rating_count"


def _search_sql(
    criteria: SearchCriteria,
    *,
    select: str,
    order: bool = False,
    limit: int | None = None,
    offset: int = 0,
    only_ids: list | None = None,
    total: bool = False,
) -> tuple[str, list]:
    """The search as one statement selecting "profiles" (the result columns), "id" or
    "count".

    The grid cells and the bounding boxes let the location index prune; the
    great-circle distance decides. Every value is bound, so searches of the same
    shape (and number of grid cells) share one statement text, which SQLite compiles
    once. A search by place alone, nearest first, ranks and counts listed locations
    without touching the profiles, then reads the page's profiles.
    """
    vendor = connection.vendor
    source = rating_source()
    # Candidates are joined with ratings only where ratings decide which rows or their
    # order. A page of profiles is chosen by id and sort keys alone, and only its rows
    # are then read whole and with their ratings: carrying every candidate's profile
    # columns through the sort, or its rating when nothing asked for one, made a search
    # without a point half again as slow.
    ratings_decide = (order and criteria.ordering == ORDER_RATING) or (
        criteria.min_rating is not None
    )
    joins = _rating_join(source) if ratings_decide else ""
    profile_columns = f"{_RESULT_COLUMNS}, {_rating_columns(source)}"
    selected = {
        "profiles": f"{P}.{_P.id} AS page_id",
        "id": f"{P}.{_P.id}",
        "count": "COUNT(*)",
    }[select]
    total_sql = "COUNT(*) OVER ()" if total else None
    distance, distance_params = None, []
    if criteria.point is not None:
        distance, distance_params = great_circle_sql(
            criteria.point, f"l.{_L.latitude}", f"l.{_L.longitude}", vendor=vendor
        )
    limit_sql, limit_params = "", []
    if limit is not None:
        limit_sql, limit_params = " LIMIT %s OFFSET %s", [limit, offset]

    if criteria.radius_km is not None:
        near, near_params = _near_sql(criteria, distance, distance_params)
        by_place_alone = (
            not criteria.has_filters and only_ids is None and criteria.ordering == ORDER_DISTANCE
        )
        if by_place_alone:
            if not order:
                return f"SELECT {selected} FROM {near}", near_params
            page = "SELECT near.id, near.distance_km"
            page += f", {total_sql} AS total_count" if total_sql else ""
            page += f" FROM {near} ORDER BY near.distance_km, near.id{limit_sql}"
            shown = profile_columns if select == "profiles" else selected
            columns = f"{shown}, page.distance_km{', page.total_count' if total_sql else ''}"
            sql = (
                f"SELECT {columns} FROM ({page}) page JOIN {P} ON {P}.{_P.id} = page.id"
                f"{_rating_join(source) if select == 'profiles' else joins}"
                f" ORDER BY page.distance_km, page.id"
            )
            return sql, [*near_params, *limit_params]
        source_sql = f"{near} JOIN {P} ON {P}.{_P.id} = near.id{joins}"
        source_params = near_params
        distance_column, distance_column_params = "near.distance_km", []
    else:
        source_sql, source_params = f"{P}{joins}", []
        distance_column, distance_column_params = "NULL", []
        if distance is not None:
            distance_column = (
                f"(SELECT MIN({distance}) FROM {LOCATIONS} l"
                f" WHERE l.{_L.practitioner} = {P}.{_P.id} AND l.{_L.is_active})"
            )
            distance_column_params = distance_params

    columns, column_params = [selected], []
    where, where_params = [f"{P}.{_P.is_published}"], []
    if criteria.has_filters:
        where.append(_filters_sql(criteria, source, where_params, vendor=vendor))
    if only_ids is not None:
        prep = PractitionerProfile._meta.pk.get_db_prep_value
        where.append(f"{P}.{_P.id} IN ({', '.join(['%s'] * len(only_ids))})")
        where_params += [prep(pk, connection) for pk in only_ids]
    if total_sql:
        columns.append(f"{total_sql} AS total_count")
    order_sql = ""
    if order:
        columns.append(f"{distance_column} AS distance_km")
        column_params += distance_column_params
        by_distance = ["distance_km ASC NULLS LAST"] if criteria.point is not None else []
        if criteria.ordering == ORDER_PRICE:
            price, price_params = _cheapest_price_sql(criteria.mode, alias="s")
            columns.append(f"{price} AS price_from")
            column_params += price_params
            keys = ["price_from ASC NULLS LAST", *by_distance]
        elif criteria.ordering == ORDER_RATING and source is not None:
            keys = [
                f"r.{source.average_column} DESC NULLS LAST",
                # No row and a row without approved reviews both count none.
                f"COALESCE(r.{source.count_column}, 0) DESC",
                *by_distance,
            ]
        else:
            keys = by_distance
        order_sql = " ORDER BY " + ", ".join([*keys, f"{P}.{_P.id} ASC"])
    sql = f"SELECT {', '.join(columns)} FROM {source_sql} WHERE {' AND '.join(where)}{order_sql}"
    sql += limit_sql
    if select == "profiles":
        # The page's rows in the same order, now with their profile columns and ratings.
        shown = [
            profile_columns,
            *(f"page.{name} AS {name}" for name in _page_columns(columns[1:])),
        ]
        sql = (
            f"SELECT {', '.join(shown)} FROM ({sql}) page"
            f" JOIN {P} ON {P}.{_P.id} = page.page_id{_rating_join(source)}{order_sql}"
        )
    return sql, [*column_params, *source_params, *where_params, *limit_params]


def _page_columns(columns: list[str]) -> list[str]:
    """The aliases of the columns after the first ("... AS name")."""
    return [column.rsplit(" AS ", 1)[1] for column in columns]


def _near_sql(criteria: SearchCriteria, distance: str, distance_params: list) -> tuple[str, list]:
    """Listed practitioners within the radius, once each at their nearest listed location:
    a derived table `near(id, distance_km)`."""
    boxes = bounding_boxes(criteria.point, criteria.radius_km)
    cells = grid_cells(boxes)
    if isinstance(cells, tuple):
        cell_sql, params = f"l.{_L.cell} BETWEEN %s AND %s", list(cells)
    else:
        cell_sql, params = f"l.{_L.cell} IN ({', '.join(['%s'] * len(cells))})", list(cells)
    box_sql = []
    lat, lng = f"l.{_L.latitude}", f"l.{_L.longitude}"
    for box in boxes:
        box_sql.append(f"({lat} BETWEEN %s AND %s AND {lng} BETWEEN %s AND %s)")
        params += [box.min_latitude, box.max_latitude, box.min_longitude, box.max_longitude]
    sql = (
        f"(SELECT l.{_L.practitioner} AS id, MIN({distance}) AS distance_km"
        f" FROM {LOCATIONS} l WHERE l.{_L.is_listed} AND {cell_sql}"
        f" AND ({' OR '.join(box_sql)}) AND {distance} <= %s GROUP BY l.{_L.practitioner}) near"
    )
    return sql, [*distance_params, *params, *distance_params, criteria.radius_km]


def _cheapest_price_sql(mode: str | None, *, alias: str) -> tuple[str, list]:
    """The profile's cheapest active service (of `mode`), NULL without one."""
    s = alias
    services = f"{s}.{_S.practitioner} = {P}.{_P.id} AND {s}.{_S.is_active}"
    params = []
    if mode:
        services += f" AND {s}.{_S.mode} = %s"
        params.append(mode)
    return f"(SELECT MIN({s}.{_S.price_amount}) FROM {SERVICES} {s} WHERE {services})", params


def _filters_sql(criteria: SearchCriteria, source, params: list, *, vendor: str) -> str:
    """The optional filters as one condition about the profile row (and its rating `r`)."""
    conditions = []
    if criteria.modality:
        conditions.append(
            f"EXISTS(SELECT 1 FROM {MODALITY_LINKS} ml JOIN {MODALITIES} m"
            f" ON m.{_M.id} = ml.{_ML.modality}"
            f" WHERE ml.{_ML.practitionerprofile} = {P}.{_P.id} AND m.{_M.slug} = %s)"
        )
        params.append(criteria.modality)
    if criteria.language:
        conditions.append(dialect.json_array_contains_sql(f"{P}.{_P.languages}", vendor=vendor))
        params.append(dialect.json_array_element_param(criteria.language, vendor=vendor))
    if criteria.min_rating is not None:
        if source is None:
            conditions.append("1 = 0")  # nobody is rated
        else:
            conditions.append(f"r.{source.average_column} >= %s")
            params.append(criteria.min_rating)
    for term in criteria.terms:
        pattern = dialect.contains_pattern(term)
        matches = [dialect.icontains_sql(f"{P}.{column}", vendor=vendor) for column in _P_TEXT]
        conditions.append(f"({' OR '.join(matches)})")
        params += [pattern] * len(matches)
    if criteria.mode:
        conditions.append(
            f"EXISTS(SELECT 1 FROM {SERVICES} ms WHERE ms.{_S.practitioner} = {P}.{_P.id}"
            f" AND ms.{_S.is_active} AND ms.{_S.mode} = %s)"
        )
        params.append(criteria.mode)
    if criteria.max_price is not None:
        price, price_params = _cheapest_price_sql(criteria.mode, alias="ps")
        conditions.append(f"{price} <= %s")
        params += [*price_params, criteria.max_price]
    return " AND ".join(conditions)


# --- Writes ---------------------------------------------------------------------------


def update_search_cards(profile_model, cards: list[tuple], *, using: str = "default") -> None:
    """Set each (profile id, card) pair's search card: one UPDATE per profile, sent together.

    Takes the model so that a migration can pass its historical one. Model instances and
    `bulk_update` took half an hour at a million profiles.
    """
    conn = connections[using]
    card_field, pk_field = profile_model._meta.get_field("search_card"), profile_model._meta.pk
    quote = conn.ops.quote_name
    update = (
        f"UPDATE {quote(profile_model._meta.db_table)} SET {quote(card_field.column)} = %s"
        f" WHERE {quote(pk_field.column)} = %s"
    )
    params = [
        (card_field.get_db_prep_save(card, conn), pk_field.get_db_prep_value(pk, conn))
        for pk, card in cards
    ]
    with conn.cursor() as cursor:
        cursor.executemany(update, params)
