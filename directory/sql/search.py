"""The practitioner search as raw SQL: a page of ids and sort keys in one statement with its
total, then the page's rows read whole (see `search_sql`).

Table and column names come from the models' `_meta` (`directory.sql.schema`); what SQLite
and PostgreSQL spell differently comes from `core.dialect` and, for text, from
`directory.sql.text`. The search is raw SQL because building and compiling the
equivalent ORM query (a subquery per location, annotations, ordering) cost several
times more than running it: it is the hottest read of the API.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.db import connection

from core import dialect
from directory.geo import Point
from directory.models import PractitionerProfile
from directory.ratings import RatingSource, rating_source
from directory.sql.conditions import cheapest_price_sql, filters_sql, near_sql
from directory.sql.schema import (
    _L,
    _P,
    _RESULT_COLUMNS,
    LOCATIONS,
    RESULT_ATTNAMES,
    RESULT_FIELDS,
    P,
    great_circle_sql,
)
from directory.sql.text import relevance_sql, text_join_sql, text_match_sql, text_source_sql
from directory.text import TextQuery

ORDER_DISTANCE = "distance"
ORDER_RATING = "-rating"
ORDER_PRICE = "price"
ORDER_RELEVANCE = "relevance"
# The text index's own order (its documents' ids): the cheapest, for suggestions.
ORDER_INDEX = "index"

#: The relevance blend with a search point: text relevance and proximity, each 0-1, where
#: proximity halves every PROXIMITY_HALF_KM (1 at the point, 0.5 at 10 km, 0.25 at 30 km).
RELEVANCE_WEIGHT = 0.7
PROXIMITY_WEIGHT = 0.3
PROXIMITY_HALF_KM = 10.0

#: Location attributes a search may require of a practitioner's (nearby) location.
LOCATION_FEATURES = ("wheelchair_accessible", "parking", "public_transport_nearby")


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
    # Words matched as substrings of name, headline and bio (the search before the text
    # index; bench.search measures against it).
    terms: tuple[str, ...] = ()
    max_price: int | None = None
    text: TextQuery | None = None
    location_features: tuple[str, ...] = ()
    # The radius asked with the point, also when a mode lifts it (`radius_km` None).
    search_radius_km: float | None = None

    @property
    def has_filters(self) -> bool:
        return bool(
            self.modality
            or self.language
            or self.min_rating is not None
            or self.terms
            or self.mode
            or self.max_price is not None
            or self.text
            or self.location_features
        )


# --- The search -------------------------------------------------------------------


def search_page_sql(criteria: SearchCriteria, *, limit: int, offset: int = 0) -> tuple[str, list]:
    """The statement of a page with its total (for EXPLAIN)."""
    return search_sql(
        criteria, select="profiles", order=True, limit=limit, offset=offset, total=True
    )


def search_count(criteria: SearchCriteria) -> int:
    sql, params = search_sql(criteria, select="count")
    return _rows(sql, params)[0][0]


# Ids as raw SQL returns them (a hex string on SQLite, a UUID on PostgreSQL) to UUIDs.
_to_uuid = PractitionerProfile._meta.pk.to_python


def search_ids(criteria: SearchCriteria, *, limit: int) -> list[uuid.UUID]:
    """The first `limit` matching ids, in order."""
    sql, params = search_sql(criteria, select="id", order=True, limit=limit)
    return [_to_uuid(row[0]) for row in _rows(sql, params)]


def search_profiles(
    criteria: SearchCriteria, *, limit=None, offset=0, only_ids=None, with_total=False
) -> list[PractitionerProfile]:
    """Matching profiles in order, with the result's columns only. Each has `rating_average`
    and `rating_count`, `distance_km` (None without a point), with `with_total` also
    `total_count`, and ordered by price `price_from`."""
    sql, params = search_sql(
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


def _rating_join(source: RatingSource | None, pid: str) -> str:
    if source is None:
        return ""
    return f" LEFT JOIN {source.table} r ON r.{source.practitioner_column} = {pid}"


def _rating_columns(source: RatingSource | None) -> str:
    if source is None:
        return "NULL AS rating_average, 0 AS rating_count"
    average, count = source.average_column, source.count_column
    return f"r.{average} AS rating_average, COALESCE(r.{count}, 0) AS rating_count"


def search_sql(
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
    text = criteria.text
    by_relevance = order and text is not None and criteria.ordering == ORDER_RELEVANCE
    ratings_decide = (
        (order and criteria.ordering == ORDER_RATING)
        or criteria.min_rating is not None
        or (by_relevance and criteria.point is None)
    )
    # With text and no filter on the profile row itself, the profile table is joined only
    # for the page: a document exists only for a published practitioner (and a listed
    # location only for a published one), so neither needs the profile to say so.
    needs_profile = text is None or bool(criteria.language or criteria.terms)
    pid = f"{P}.{_P.id}"
    if not needs_profile:
        pid = "near.id" if criteria.radius_km is not None else "d.practitioner_id"
    joins = _rating_join(source, pid) if ratings_decide else ""
    profile_columns = f"{_RESULT_COLUMNS}, {_rating_columns(source)}"
    selected = {"profiles": f"{pid} AS page_id", "id": f"{pid} AS id", "count": "COUNT(*)"}[select]
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
        near, near_params = near_sql(criteria, distance, distance_params)
        by_place_alone = (
            not criteria.has_filters and only_ids is None and criteria.ordering == ORDER_DISTANCE
        )
        if by_place_alone:
            if not order:
                chosen = "near.id" if select == "id" else selected
                return f"SELECT {chosen} FROM {near}", near_params
            page = "SELECT near.id, near.distance_km"
            page += f", {total_sql} AS total_count" if total_sql else ""
            page += f" FROM {near} ORDER BY near.distance_km, near.id{limit_sql}"
            shown = profile_columns if select == "profiles" else selected
            columns = f"{shown}, page.distance_km{', page.total_count' if total_sql else ''}"
            page_joins = _rating_join(source, f"{P}.{_P.id}") if select == "profiles" else joins
            sql = (
                f"SELECT {columns} FROM ({page}) page JOIN {P} ON {P}.{_P.id} = page.id"
                f"{page_joins} ORDER BY page.distance_km, page.id"
            )
            return sql, [*near_params, *limit_params]
        source_sql = near
        if needs_profile:
            source_sql += f" JOIN {P} ON {P}.{_P.id} = near.id"
        if text is not None:
            source_sql += text_join_sql(pid, vendor=vendor)
        source_sql += joins
        source_params = near_params
        distance_column, distance_column_params = "near.distance_km", []
    else:
        if text is None:
            source_sql = P
        else:
            # The text index drives: only the matching documents are read.
            source_sql = text_source_sql(vendor=vendor, with_profile=needs_profile)
        source_sql += joins
        source_params = []
        distance_column, distance_column_params = "NULL", []
        if distance is not None:
            distance_column = (
                f"(SELECT MIN({distance}) FROM {LOCATIONS} l"
                f" WHERE l.{_L.practitioner} = {pid} AND l.{_L.is_active})"
            )
            distance_column_params = distance_params

    columns, column_params = [selected], []
    where, where_params = [f"{P}.{_P.is_published}" if needs_profile else "1 = 1"], []
    if text is not None:
        driving = criteria.radius_km is None
        match, match_params = text_match_sql(text, vendor=vendor, driving=driving)
        where.append(match)
        where_params += match_params
    if criteria.has_filters:
        filters = filters_sql(criteria, source, where_params, vendor=vendor, pid=pid)
        if filters:
            where.append(filters)
    if only_ids is not None:
        prep = PractitionerProfile._meta.pk.get_db_prep_value
        where.append(f"{pid} IN ({', '.join(['%s'] * len(only_ids))})")
        where_params += [prep(pk, connection) for pk in only_ids]
    if total_sql:
        columns.append(f"{total_sql} AS total_count")
    order_sql = outer_order_sql = ""
    if order:
        columns.append(f"{distance_column} AS distance_km")
        column_params += distance_column_params
        by_distance = ["distance_km ASC NULLS LAST"] if criteria.point is not None else []
        if criteria.ordering == ORDER_PRICE:
            price, price_params = cheapest_price_sql(criteria.mode, alias="s", pid=pid)
            columns.append(f"{price} AS price_from")
            column_params += price_params
            keys = ["price_from ASC NULLS LAST", *by_distance]
        elif by_relevance:
            relevance, relevance_params = relevance_sql(text, vendor=vendor)
            if criteria.point is not None:
                # The blend (module constants); a result without a distance (online only)
                # has no proximity.
                proximity = f"COALESCE(1.0 / (1.0 + {distance_column} / {PROXIMITY_HALF_KM}), 0.0)"
                columns.append(
                    f"({RELEVANCE_WEIGHT} * {relevance} + {PROXIMITY_WEIGHT} * {proximity})"
                    " AS relevance"
                )
                column_params += [*relevance_params, *distance_column_params]
                keys = ["relevance DESC", *by_distance]
            else:
                columns.append(f"{relevance} AS relevance")
                column_params += relevance_params
                keys = ["relevance DESC", *_rating_keys(source)]
        elif criteria.ordering == ORDER_RATING and source is not None:
            keys = [*_rating_keys(source), *by_distance]
        else:
            keys = by_distance
        order_sql = " ORDER BY " + ", ".join([*keys, f"{pid} ASC"])
        outer_order_sql = " ORDER BY " + ", ".join([*keys, f"{P}.{_P.id} ASC"])
        if criteria.ordering == ORDER_INDEX and text is not None:
            # The index's order, so that the first matches suffice: SQLite's FTS5 yields
            # rowid order unsorted; PostgreSQL's bitmap scan yields table order (an ORDER BY
            # would make it walk the whole table when the words are rare).
            if vendor == "sqlite":
                key = "f.rowid" if criteria.radius_km is None else "d.id"
                columns.append(f"{key} AS document_id")
                order_sql, outer_order_sql = f" ORDER BY {key}", " ORDER BY document_id"
            else:
                order_sql = outer_order_sql = ""
    sql = f"SELECT {', '.join(columns)} FROM {source_sql} WHERE {' AND '.join(where)}{order_sql}"
    sql += limit_sql
    if select == "profiles":
        # The page's rows in the same order, now with their profile columns and ratings.
        shown = [
            profile_columns,
            *(f"page.{name} AS {name}" for name in _page_columns(columns[1:])),
        ]
        sql = (
            f"SELECT {', '.join(shown)} FROM ({sql}) page JOIN {P} ON {P}.{_P.id} = page.page_id"
            f"{_rating_join(source, f'{P}.{_P.id}')}{outer_order_sql}"
        )
    return sql, [*column_params, *source_params, *where_params, *limit_params]


def _rating_keys(source: RatingSource | None) -> list[str]:
    if source is None:
        return []
    return [
        f"r.{source.average_column} DESC NULLS LAST",
        # No row and a row without approved reviews both count none.
        f"COALESCE(r.{source.count_column}, 0) DESC",
    ]


def _page_columns(columns: list[str]) -> list[str]:
    """The aliases of the columns after the first ("... AS name")."""
    return [column.rsplit(" AS ", 1)[1] for column in columns]
