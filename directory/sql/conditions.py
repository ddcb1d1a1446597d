"""The conditions of the practitioner search (directory.sql.search): the listed locations
near the point, the cheapest price, the optional filters."""

from __future__ import annotations

from core import dialect
from directory.geo import bounding_boxes, grid_cells
from directory.sql.schema import (
    _L,
    _M,
    _ML,
    _P,
    _P_TEXT,
    _S,
    LOCATIONS,
    MODALITIES,
    MODALITY_LINKS,
    SERVICES,
    P,
)


def near_sql(criteria, distance: str, distance_params: list) -> tuple[str, list]:
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
    # Required attributes hold at a location within the radius (its nearest such one).
    features = "".join(f" AND l.{getattr(_L, name)}" for name in criteria.location_features)
    sql = (
        f"(SELECT l.{_L.practitioner} AS id, MIN({distance}) AS distance_km"
        f" FROM {LOCATIONS} l WHERE l.{_L.is_listed} AND {cell_sql}"
        f" AND ({' OR '.join(box_sql)}) AND {distance} <= %s{features}"
        f" GROUP BY l.{_L.practitioner}) near"
    )
    return sql, [*distance_params, *params, *distance_params, criteria.radius_km]


def cheapest_price_sql(mode: str | None, *, alias: str, pid: str = "") -> tuple[str, list]:
    """The profile's cheapest active service (of `mode`), NULL without one."""
    s, pid = alias, pid or f"{P}.{_P.id}"
    services = f"{s}.{_S.practitioner} = {pid} AND {s}.{_S.is_active}"
    params = []
    if mode:
        services += f" AND {s}.{_S.mode} = %s"
        params.append(mode)
    return f"(SELECT MIN({s}.{_S.price_amount}) FROM {SERVICES} {s} WHERE {services})", params


def filters_sql(criteria, source, params: list, *, vendor: str, pid: str) -> str:
    """The optional filters as one condition about the practitioner `pid` (its profile row
    where `language` or `terms` need it, and its rating `r`)."""
    conditions = []
    if criteria.modality:
        conditions.append(
            f"EXISTS(SELECT 1 FROM {MODALITY_LINKS} ml JOIN {MODALITIES} m"
            f" ON m.{_M.id} = ml.{_ML.modality}"
            f" WHERE ml.{_ML.practitionerprofile} = {pid} AND m.{_M.slug} = %s)"
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
            f"EXISTS(SELECT 1 FROM {SERVICES} ms WHERE ms.{_S.practitioner} = {pid}"
            f" AND ms.{_S.is_active} AND ms.{_S.mode} = %s)"
        )
        params.append(criteria.mode)
    if criteria.max_price is not None:
        price, price_params = cheapest_price_sql(criteria.mode, alias="ps", pid=pid)
        conditions.append(f"{price} <= %s")
        params += [*price_params, criteria.max_price]
    if criteria.location_features and criteria.radius_km is None:
        # Within a radius, the near table requires them of a location there.
        features = "".join(f" AND fl.{getattr(_L, name)}" for name in criteria.location_features)
        conditions.append(
            f"EXISTS(SELECT 1 FROM {LOCATIONS} fl WHERE fl.{_L.practitioner} = {pid}"
            f" AND fl.{_L.is_listed}{features})"
        )
    return " AND ".join(conditions)
