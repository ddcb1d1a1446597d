"""The facets' statement: the search's matches without the five facet filters, counted per
value of each facet under the other facets' filters (directory.facets)."""

from __future__ import annotations

import dataclasses

from django.db import connection

from core import dialect
from directory.ratings import rating_source
from directory.sql.conditions import cheapest_price_sql
from directory.sql.schema import _M, _ML, _P, MODALITIES, MODALITY_LINKS, P
from directory.sql.search import SearchCriteria, search_sql

#: `max_price` values of the price facet (cumulative: cheapest service at most this).
PRICE_BANDS = (5000, 7500, 10000, 15000, 20000)
#: `min_rating` values of the rating facet (cumulative: average at least this).
RATING_BANDS = ("4.5", "4", "3.5", "3")


def _bands_sql(values) -> str:
    return " UNION ALL ".join(f"SELECT {i} AS i, {value} AS value" for i, value in values)


def facet_rows(
    criteria: SearchCriteria, names: list[str], *, modes: tuple[str, ...] = ()
) -> list[tuple[str, str, int]]:
    """(facet, value, count) rows of the asked facets among modality, language, price and
    rating, and of the mode facet's `modes` (those whose search keeps these criteria's
    radius), in one statement over the candidates computed once."""
    if not names and not modes:
        return []
    vendor, source = connection.vendor, rating_source()
    base = dataclasses.replace(
        criteria, modality=None, language=None, mode=None, max_price=None, min_rating=None
    )
    base_sql, base_params = search_sql(base, select="id")
    price, params = cheapest_price_sql(criteria.mode, alias="s")
    columns = [f"{P}.{_P.id} AS id", f"{P}.{_P.languages} AS languages", f"{price} AS price"]
    for mode in modes:
        mode_price, mode_params = cheapest_price_sql(mode, alias="s")
        columns.append(f"{mode_price} AS price_{mode}")
        params += mode_params
    rating_join = ""
    if source is not None:
        rating_join = f" LEFT JOIN {source.table} r ON r.{source.practitioner_column} = {P}.{_P.id}"
        columns.append(f"r.{source.average_column} AS rating")
    else:
        columns.append("CAST(NULL AS NUMERIC) AS rating")
    if criteria.modality:
        columns.append(
            f"EXISTS(SELECT 1 FROM {MODALITY_LINKS} hl JOIN {MODALITIES} hm"
            f" ON hm.{_M.id} = hl.{_ML.modality} WHERE hl.{_ML.practitionerprofile} = {P}.{_P.id}"
            f" AND hm.{_M.slug} = %s) AS has_modality"
        )
        params.append(criteria.modality)
    if criteria.language:
        contains = dialect.json_array_contains_sql(f"{P}.{_P.languages}", vendor=vendor)
        columns.append(f"({contains}) AS has_language")
        params.append(dialect.json_array_element_param(criteria.language, vendor=vendor))
    candidates = (
        f"SELECT {', '.join(columns)} FROM ({base_sql}) b JOIN {P} ON {P}.{_P.id} = b.id"
        f"{rating_join}"
    )

    def others(facet: str) -> tuple[str, list]:
        conditions, values = ["1 = 1"], []
        if criteria.modality and facet != "modality":
            conditions.append("c.has_modality")
        if criteria.language and facet != "language":
            conditions.append("c.has_language")
        price = f"c.price_{facet[5:]}" if facet.startswith("mode:") else "c.price"
        if criteria.mode and not facet.startswith("mode:"):
            conditions.append("c.price IS NOT NULL")  # has an active service of the mode
        if criteria.max_price is not None and facet != "price":
            conditions.append(f"{price} <= %s")
            values.append(criteria.max_price)
        if criteria.min_rating is not None and facet != "rating":
            conditions.append("c.rating >= %s")
            values.append(criteria.min_rating)
        return " AND ".join(conditions), values

    branches = []
    if "modality" in names:
        where, values = others("modality")
        branches.append(
            (
                f"SELECT 'modality' AS facet, fm.{_M.slug} AS value, COUNT(*) AS n FROM c"
                f" JOIN {MODALITY_LINKS} fl ON fl.{_ML.practitionerprofile} = c.id"
                f" JOIN {MODALITIES} fm ON fm.{_M.id} = fl.{_ML.modality}"
                f" WHERE {where} GROUP BY fm.{_M.slug}",
                values,
            )
        )
    if "language" in names:
        where, values = others("language")
        elements, element = dialect.json_array_elements_sql("c.languages", alias="j", vendor=vendor)
        branches.append(
            (
                f"SELECT 'language' AS facet, {element} AS value, COUNT(*) AS n FROM c {elements}"
                f" WHERE {where} GROUP BY {element}",
                values,
            )
        )
    for mode in modes:
        where, values = others(f"mode:{mode}")
        branches.append(
            (
                f"SELECT 'mode' AS facet, '{mode}' AS value, COUNT(*) AS n FROM c"
                f" WHERE {where} AND c.price_{mode} IS NOT NULL",
                values,
            )
        )
    for facet, bands, column, compare in (
        ("price", PRICE_BANDS, "c.price", "<="),
        ("rating", RATING_BANDS, "c.rating", ">="),
    ):
        if facet not in names:
            continue
        where, values = others(facet)
        branches.append(
            (
                f"SELECT '{facet}' AS facet, CAST(fb.i AS TEXT) AS value,"
                f" SUM(CASE WHEN {column} {compare} fb.value THEN 1 ELSE 0 END) AS n"
                f" FROM c CROSS JOIN ({_bands_sql(enumerate(bands))}) fb"
                f" WHERE {where} GROUP BY fb.i",
                values,
            )
        )
    sql = f"WITH c AS ({candidates}) " + " UNION ALL ".join(branch for branch, _ in branches)
    params += base_params  # the candidates' FROM follows their columns
    for _, values in branches:
        params += values
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    band_values = {"price": [str(v) for v in PRICE_BANDS], "rating": list(RATING_BANDS)}
    result = []
    for facet, value, count in rows:
        if facet in band_values:
            value = band_values[facet][int(value)]
        result.append((facet, str(value), int(count or 0)))
    result.sort(key=lambda row: (row[0], _band_order(row)))
    return result


def _band_order(row) -> int:
    facet, value, _ = row
    if facet == "price":
        return PRICE_BANDS.index(int(value))
    if facet == "rating":
        return RATING_BANDS.index(value)
    return 0
