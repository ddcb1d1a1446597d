"""The ratings move from the profile to reviews' PractitionerRating on existing rows, and back."""

import importlib
from decimal import Decimal

import pytest

from tests.migrations import migrate_to, migrate_to_latest

# Directory's profile still has its rating columns; reviews has no rating table yet.
BEFORE = [("directory", "0006_rebuild_search_cards"), ("reviews", "0001_initial")]
# reviews 0002 copies (run_before directory 0008, which drops the columns).
AFTER = [("directory", "0008_profile_drop_rating_columns"), ("reviews", "0002_practitioner_rating")]


@pytest.mark.django_db(transaction=True)
def test_existing_ratings_move_to_reviews_and_back(monkeypatch):
    # Batches of two: the copy in both directions crosses batch boundaries.
    migration = importlib.import_module("reviews.migrations.0002_practitioner_rating")
    monkeypatch.setattr(migration, "BATCH_SIZE", 2)
    apps = migrate_to(BEFORE)
    try:
        User = apps.get_model("accounts", "User")
        Profile = apps.get_model("directory", "PractitionerProfile")
        values = {
            "five": (23, 5, Decimal("4.60")),
            "one": (3, 1, Decimal("3.00")),
            "rated-then-not": (0, 0, None),
            "never": (0, 0, None),
            "many": (400, 100, Decimal("4.00")),
        }
        for slug, (total, count, average) in values.items():
            user = User.objects.create(email=f"{slug}@example.org", role="practitioner")
            Profile.objects.create(
                user=user,
                slug=slug,
                rating_sum=total,
                rating_count=count,
                rating_average=average,
            )

        apps = migrate_to(AFTER)
        Rating = apps.get_model("reviews", "PractitionerRating")
        moved = {
            r.practitioner.slug: (r.rating_sum, r.rating_count, r.rating_average)
            for r in Rating.objects.select_related("practitioner")
        }
        assert moved == {slug: v for slug, v in values.items() if v[1]}
        profile_fields = {
            f.name for f in apps.get_model("directory", "PractitionerProfile")._meta.fields
        }
        assert not profile_fields & {"rating_sum", "rating_count", "rating_average"}

        apps = migrate_to(BEFORE)
        restored = apps.get_model("directory", "PractitionerProfile").objects.values_list(
            "slug", "rating_sum", "rating_count", "rating_average"
        )
        assert {slug: (s, c, a) for slug, s, c, a in restored} == values
    finally:
        migrate_to_latest()
