"""Concurrent workspace edits on PostgreSQL: the search card misses none of them."""

import pytest

from directory import services
from directory.models import PractitionerProfile
from tests.factories import make_practitioner
from tests.threads import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_edits_all_reach_the_search_card():
    _, profile, _ = make_practitioner(price_amount=9000)
    prices = [8000, 7000, 6000, 5000, 4000, 3000]
    cities = ["Pankow", "Wedding"]

    errors = run_together(
        [
            lambda price=price: services.service_create(
                profile=profile,
                name=f"Online {price}",
                duration_minutes=30,
                price_amount=price,
                currency="EUR",
                mode="online",
            )
            for price in prices
        ]
        + [
            lambda city=city: services.location_create(
                profile=profile, city=city, latitude=52.55, longitude=13.4
            )
            for city in cities
        ]
    )

    assert errors == []
    card = PractitionerProfile.objects.get(pk=profile.pk).search_card
    assert card["cheapest"]["online"] == {"price_amount": 3000, "currency": "EUR"}
    assert card["cheapest"]["in_person"] == {"price_amount": 9000, "currency": "EUR"}
    assert sorted(loc["city"] for loc in card["locations"]) == ["Berlin", "Pankow", "Wedding"]
    services.search_card_refresh(profile=profile)
    assert card == profile.search_card
