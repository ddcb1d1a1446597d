"""Geography: points, bounding boxes, great-circle distance in SQL.

The search filters locations by a bounding box (an index range scan on
(latitude, longitude)) and then by the haversine distance computed in the
database, so only the few rows near the point are ever looked at.

Geocoding (text to a point) is `directory.geocoding`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Mean earth radius, the one geopy's great_circle uses, so SQL and reference agree.
EARTH_RADIUS_KM = 6371.009


# Coordinates are kept to 7 decimals (about 1 cm). Besides being plenty, it keeps
# the haversine terms far from float underflow, which PostgreSQL reports as an error.
COORDINATE_DECIMALS = 7


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float

    def rounded(self) -> Point:
        return Point(
            round(self.latitude, COORDINATE_DECIMALS), round(self.longitude, COORDINATE_DECIMALS)
        )


@dataclass(frozen=True)
class ResolvedPlace:
    """Where a search was centred, and how the place was found: `source` is "gazetteer"
    (the offline data), "geocoder" (the configured provider) or "coordinates" (given)."""

    name: str | None
    country: str | None  # ISO 3166-1 alpha-2, when known
    latitude: float
    longitude: float
    source: str

    @property
    def point(self) -> Point:
        return Point(self.latitude, self.longitude)


@dataclass(frozen=True)
class Box:
    """A latitude band and one longitude interval, min <= max (no wrap-around)."""

    min_latitude: float
    max_latitude: float
    min_longitude: float
    max_longitude: float


def bounding_boxes(point: Point, radius_km: float) -> list[Box]:
    """Boxes whose union holds every point within radius_km of point (on the sphere).

    One box normally; two when the circle crosses the antimeridian; a full
    longitude band when it contains a pole. Longitude half-width follows
    asin(sin(d) / cos(lat)), the exact extent of a spherical cap.
    """
    # A hair wider than the exact box: the SQL distance test decides, the box only prunes.
    delta = radius_km / EARTH_RADIUS_KM * (1 + 1e-9) + 1e-12
    lat = math.radians(point.latitude)
    min_lat, max_lat = lat - delta, lat + delta
    if max_lat >= math.pi / 2 or min_lat <= -math.pi / 2 or delta >= math.pi:
        # The circle contains a pole: every longitude is in reach beyond some latitude.
        return [
            Box(
                max(math.degrees(min_lat), -90.0),
                min(math.degrees(max_lat), 90.0),
                -180.0,
                180.0,
            )
        ]
    ratio = math.sin(delta) / math.cos(lat)
    if ratio >= 1:
        return [Box(math.degrees(min_lat), math.degrees(max_lat), -180.0, 180.0)]
    half_width = math.degrees(math.asin(ratio))
    min_lng, max_lng = point.longitude - half_width, point.longitude + half_width
    lat_lo, lat_hi = math.degrees(min_lat), math.degrees(max_lat)
    if min_lng < -180:
        return [Box(lat_lo, lat_hi, min_lng + 360, 180.0), Box(lat_lo, lat_hi, -180.0, max_lng)]
    if max_lng > 180:
        return [Box(lat_lo, lat_hi, min_lng, 180.0), Box(lat_lo, lat_hi, -180.0, max_lng - 360)]
    return [Box(lat_lo, lat_hi, min_lng, max_lng)]


# A fixed grid of GRID_DEGREES x GRID_DEGREES cells numbered row by row from the
# south-west corner. Locations store their cell (a generated column); a search
# asks for the few cells its bounding boxes touch instead of a whole latitude band
# around the globe, which at 1M locations was most of the search's cost.
GRID_DEGREES = 0.5
GRID_COLUMNS = int(360 / GRID_DEGREES)
# Beyond this many cells (radii of several hundred km) one range of whole rows is cheaper.
MAX_GRID_CELLS = 400


def grid_cell(latitude: float, longitude: float) -> int:
    """The cell of a point; the same formula as Location.cell."""
    row = math.floor((latitude + 90) / GRID_DEGREES)
    return row * GRID_COLUMNS + min(math.floor((longitude + 180) / GRID_DEGREES), GRID_COLUMNS - 1)


def grid_cells(boxes: list[Box]) -> list[int] | tuple[int, int]:
    """The cells the boxes touch, or when there are too many, one (first, last) range."""
    cells: list[int] = []
    for box in boxes:
        first, last = (
            grid_cell(box.min_latitude, box.min_longitude),
            grid_cell(box.max_latitude, box.max_longitude),
        )
        columns = range(first % GRID_COLUMNS, last % GRID_COLUMNS + 1)
        for row in range(first // GRID_COLUMNS, last // GRID_COLUMNS + 1):
            cells.extend(row * GRID_COLUMNS + column for column in columns)
    if len(cells) > MAX_GRID_CELLS:
        rows = [grid_cell(b.min_latitude, -180) for b in boxes]
        rows += [grid_cell(b.max_latitude, 180) for b in boxes]
        return min(rows), max(rows)
    return sorted(set(cells))


def great_circle_km(a: Point, b: Point) -> float:
    """Haversine distance in Python; the same formula as `directory.sql.great_circle_sql`."""
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat = lat2 - lat1
    dlng = math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlng / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(h, 1.0)))
