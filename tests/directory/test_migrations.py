"""Data migrations run against existing rows (the test database is empty when it migrates)."""

import pytest

from directory.geo import grid_cell
from tests.migrations import migrate_to, migrate_to_latest

BEFORE = [("directory", "0003_location_covering_geo_index")]
AFTER = [("directory", "0004_location_listed_and_grid_cell")]


@pytest.mark.django_db(transaction=True)
def test_existing_locations_are_listed_when_active_and_published():
    apps = migrate_to(BEFORE)
    try:
        User = apps.get_model("accounts", "User")
        Profile = apps.get_model("directory", "PractitionerProfile")
        Location = apps.get_model("directory", "Location")
        rows = {}
        for name, published in (("pub", True), ("draft", False)):
            user = User.objects.create(email=f"{name}@example.org", role="practitioner")
            profile = Profile.objects.create(user=user, slug=name, is_published=published)
            for active, lng in ((True, 180.0), (False, -179.75)):
                location = Location.objects.create(
                    practitioner=profile, latitude=-33.9, longitude=lng, is_active=active
                )
                rows[location.pk] = (published and active, grid_cell(-33.9, lng))

        apps = migrate_to(AFTER)
        migrated = apps.get_model("directory", "Location").objects.values_list(
            "pk", "is_listed", "cell"
        )
        assert {pk: (listed, cell) for pk, listed, cell in migrated} == rows
    finally:
        migrate_to_latest()


@pytest.mark.django_db(transaction=True)
def test_existing_profiles_get_their_search_cards():
    apps = migrate_to([("directory", "0004_location_listed_and_grid_cell")])
    try:
        User = apps.get_model("accounts", "User")
        Profile = apps.get_model("directory", "PractitionerProfile")
        Location = apps.get_model("directory", "Location")
        Service = apps.get_model("directory", "Service")
        Modality = apps.get_model("directory", "Modality")
        user = User.objects.create(email="old@example.org", role="practitioner")
        profile = Profile.objects.create(user=user, slug="old", is_published=True)
        # Created here: a transactional test's flush empties the seeded modalities.
        profile.modalities.set(
            Modality.objects.get_or_create(slug=slug, defaults={"name": name})[0]
            for slug, name in (("reiki", "Reiki"), ("massage-therapy", "Massage therapy"))
        )
        berlin = Location.objects.create(
            practitioner=profile, city="Berlin", latitude=52.52, longitude=13.405
        )
        Location.objects.create(
            practitioner=profile, city="Gone", latitude=1, longitude=1, is_active=False
        )
        for price, mode, active in ((9000, "in_person", True), (100, "online", False)):
            Service.objects.create(
                practitioner=profile,
                name="Session",
                duration_minutes=60,
                price_amount=price,
                currency="eur",
                mode=mode,
                location=berlin if mode == "in_person" else None,
                is_active=active,
            )
        empty_user = User.objects.create(email="new@example.org", role="practitioner")
        Profile.objects.create(user=empty_user, slug="new")

        apps = migrate_to([("directory", "0006_rebuild_search_cards")])
        cards = dict(
            apps.get_model("directory", "PractitionerProfile").objects.values_list(
                "slug", "search_card"
            )
        )
        cheapest = {"price_amount": 9000, "currency": "eur"}
        assert cards == {
            "old": {
                "modalities": ["massage-therapy", "reiki"],
                "locations": [
                    {"id": str(berlin.pk), "city": "Berlin", "latitude": 52.52, "longitude": 13.405}
                ],
                "cheapest": {"any": cheapest, "in_person": cheapest},
            },
            "new": {"modalities": [], "locations": [], "cheapest": {}},
        }
    finally:
        migrate_to_latest()
