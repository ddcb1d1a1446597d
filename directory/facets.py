"""Facets: for the current query and filters, how many practitioners each value of a filter
would give, each facet counted as if its own filter were not applied (so a filter screen
can offer switching between values).

`facets=modality,language,mode,price,rating`. Each value is what to pass as that
filter's parameter: a modality slug, a language code, a mode, a `max_price` (price bands
are cumulative: the cheapest service at most this, in minor units as `max_price`) or a
`min_rating` (at least this average). Values without any practitioner are left out;
modalities and languages come most frequent first.
"""

from __future__ import annotations

import dataclasses

from directory import sql
from directory.errors import UnknownFacet
from directory.models import ServiceMode
from directory.sql import facets as facets_sql

FACETS = ("modality", "language", "mode", "price", "rating")
PRICE_BANDS = facets_sql.PRICE_BANDS
RATING_BANDS = facets_sql.RATING_BANDS


def parse(raw: str) -> tuple[str, ...]:
    """The facet names of a comma-separated list; an unknown one is a 400 `unknown_facet`."""
    names = [name.strip() for name in raw.split(",") if name.strip()]
    unknown = sorted(set(names) - set(FACETS))
    if unknown:
        raise UnknownFacet(
            f"Unknown facets: {', '.join(unknown)}; choose from {', '.join(FACETS)}.",
            extra={"facets": [f"Choose from {', '.join(FACETS)}."]},
        )
    return tuple(name for name in FACETS if name in names)


def facet_counts(criteria: sql.SearchCriteria, names: tuple[str, ...]) -> dict[str, list[dict]]:
    """{facet: [{"value": ..., "count": n}, ...]} for the asked facets."""
    # A mode is counted with the others when its search keeps these criteria's radius (none
    # without a point; online needs no travel, so with a point it lifts the radius).
    modes, apart = (), ()
    if "mode" in names:
        if criteria.point is None:
            modes = tuple(ServiceMode.values)
        else:
            online_lifted = criteria.radius_km is None
            modes = tuple(
                m for m in ServiceMode.values if (m == ServiceMode.ONLINE) == online_lifted
            )
            apart = tuple(m for m in ServiceMode.values if m not in modes)
    rows = facets_sql.facet_rows(criteria, [n for n in names if n != "mode"], modes=modes)
    result: dict[str, list[dict]] = {name: [] for name in names}
    for facet, value, count in rows:
        if count:
            result[facet].append({"value": value, "count": count})
    for facet in ("modality", "language"):
        if facet in result:
            result[facet].sort(key=lambda item: (-item["count"], item["value"]))
    for mode in apart:
        count = sql.search_count(_with_mode(criteria, mode))
        if count:
            result["mode"].append({"value": mode, "count": count})
    if "mode" in result:
        result["mode"].sort(key=lambda item: ServiceMode.values.index(item["value"]))
    return result


def _with_mode(criteria: sql.SearchCriteria, mode: str) -> sql.SearchCriteria:
    """The criteria with another mode, the radius as `practitioner_search` sets it for it."""
    radius = None
    if criteria.point is not None and mode != ServiceMode.ONLINE:
        radius = criteria.search_radius_km
    return dataclasses.replace(criteria, mode=mode, radius_km=radius)
