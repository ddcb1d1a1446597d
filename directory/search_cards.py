"""The search card: what a search result shows of a practitioner besides its own columns.

A page of search results reads each practitioner's card with its row instead of
looking up modalities, locations and services for every result: at a million
practitioners those lookups cost as much as the search itself. The card is derived
data, rebuilt by `directory.services` whenever its sources change; filters never
read it, so the results a search matches always come from the sources.

`build_search_card` is a pure function of plain objects (model instances, rows the
demo seeder builds), so that every writer builds the same card; `rebuild_search_cards`
rebuilds them all (migration 0006, `manage.py rebuild_search_cards`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import Any

from django.db import transaction

from directory import sql

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


def rebuild_search_cards(
    *,
    profile_model,
    location_model,
    service_model,
    using: str = "default",
    batch_size: int = 2000,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Rebuild every profile's card from its sources, `batch_size` profiles per transaction.

    Takes the models as arguments so that a migration can pass its historical ones.
    Each batch locks its profiles first, as the single-profile rebuilds of
    `directory.services` do, so a concurrent edit is never overwritten by an older
    card. Plain rows in, cards written by `directory.sql.update_search_cards`. Returns
    the number rebuilt; `on_batch` gets the running total after each batch.
    """
    link_model = profile_model.modalities.through
    done, last = 0, None
    while True:
        with transaction.atomic(using=using):
            profiles = profile_model.objects.using(using).select_for_update().order_by("pk")
            if last is not None:
                profiles = profiles.filter(pk__gt=last)
            ids = list(profiles.values_list("pk", flat=True)[:batch_size])
            if not ids:
                return done
            sources = {pk: defaultdict(list) for pk in ids}
            links = link_model.objects.using(using).filter(practitionerprofile_id__in=ids)
            for pk, modality_id, name, slug in links.values_list(
                "practitionerprofile_id", "modality_id", "modality__name", "modality__slug"
            ):
                sources[pk]["modalities"].append(
                    SimpleNamespace(id=modality_id, name=name, slug=slug)
                )
            locations = location_model.objects.using(using).filter(
                practitioner_id__in=ids, is_active=True
            )
            for row in locations.values(
                "practitioner_id", "id", "city", "latitude", "longitude", "created_at"
            ):
                sources[row.pop("practitioner_id")]["locations"].append(SimpleNamespace(**row))
            services = service_model.objects.using(using).filter(
                practitioner_id__in=ids, is_active=True
            )
            for row in services.values("practitioner_id", "id", "price_amount", "currency", "mode"):
                sources[row.pop("practitioner_id")]["services"].append(SimpleNamespace(**row))
            cards = [
                (
                    pk,
                    build_search_card(
                        modalities=source["modalities"],
                        active_locations=source["locations"],
                        active_services=source["services"],
                    ),
                )
                for pk, source in sources.items()
            ]
            sql.update_search_cards(profile_model, cards, using=using)
        done, last = done + len(ids), ids[-1]
        if on_batch is not None:
            on_batch(done)
