"""The search card: what a search result shows of a practitioner besides its own columns.

A page of search results reads each practitioner's card with its row instead of
looking up modalities, locations and services for every result: at a million
practitioners those lookups cost as much as the search itself. The card is derived
data, rebuilt by `directory.services` whenever its sources change; filters never
read it, so the results a search matches always come from the sources.

Pure functions of plain objects (model instances, historical models in migrations,
rows the demo seeder builds), so that every writer builds the same card.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# The `cheapest` key for a search without a mode; the others are ServiceMode values.
ANY_MODE = "any"


def build_search_card(
    *, modalities: Iterable[Any], active_locations: Iterable[Any], active_services: Iterable[Any]
) -> dict:
    """The card of one practitioner.

    `modalities` have `id, name, slug`; `active_locations` have `id, city, latitude,
    longitude, created_at`; `active_services` have `id, price_amount, currency, mode`.
    Ordered as the public profile orders them: modalities by name, locations oldest
    first, and per mode (and for any mode) the cheapest service, ties by id.
    """
    services = sorted(active_services, key=lambda s: (s.price_amount, str(s.id)))
    cheapest = {}
    for service in services:
        for mode in (ANY_MODE, service.mode):
            cheapest.setdefault(
                mode, {"price_amount": service.price_amount, "currency": service.currency}
            )
    return {
        "modalities": [m.slug for m in sorted(modalities, key=lambda m: (m.name, m.id))],
        "locations": [
            {
                "id": str(location.id),
                "city": location.city,
                "latitude": location.latitude,
                "longitude": location.longitude,
            }
            for location in sorted(active_locations, key=lambda loc: (loc.created_at, str(loc.id)))
        ],
        "cheapest": cheapest,
    }
