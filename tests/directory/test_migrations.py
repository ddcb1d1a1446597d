"""Data migrations run against existing rows (the test database is empty when it migrates)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from directory.geo import grid_cell

BEFORE = [("directory", "0003_location_covering_geo_index")]
AFTER = [("directory", "0004_location_listed_and_grid_cell")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_locations_are_listed_when_active_and_published():
    apps = _migrate(BEFORE)
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

        apps = _migrate(AFTER)
        migrated = apps.get_model("directory", "Location").objects.values_list(
            "pk", "is_listed", "cell"
        )
        assert {pk: (listed, cell) for pk, listed, cell in migrated} == rows
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
