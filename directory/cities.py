"""Cities of the offline gazetteer with what their country implies: timezone, languages, currency.

What demo data (`seed_demo`) and the benchmarks draw their places and query points from.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from directory.gazetteer import geonames


@dataclass(frozen=True)
class City:
    name: str
    latitude: float
    longitude: float
    country: str
    timezone: str
    population: int
    languages: tuple[str, ...]
    currency: str  # upper-case ISO 4217


@cache
def load_cities() -> list[City]:
    gc = geonames()
    countries = gc.get_countries()
    cities = []
    for city in gc.get_cities().values():
        country = countries.get(city["countrycode"])
        if not country or not city.get("timezone"):
            continue
        languages = []
        for code in (country.get("languages") or "").split(","):
            code = code.split("-")[0].strip().lower()
            if len(code) == 2 and code not in languages:
                languages.append(code)
        currency = (country.get("currencycode") or "USD").upper()
        cities.append(
            City(
                name=city["name"],
                latitude=float(city["latitude"]),
                longitude=float(city["longitude"]),
                country=city["countrycode"],
                timezone=city["timezone"],
                population=max(int(city.get("population") or 0), 1000),
                languages=tuple(languages[:2]) or ("en",),
                currency=currency if len(currency) == 3 else "USD",
            )
        )
    cities.sort(key=lambda c: (c.country, c.name, c.latitude))
    return cities
