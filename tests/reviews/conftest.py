"""Fixtures and helpers for review tests; the rows themselves come from tests.factories."""

import pytest

from accounts.models import Role
from reviews import services
from reviews.models import PractitionerRating
from tests.factories import make_moderator, make_practitioner, make_user


def rating_of(profile) -> PractitionerRating:
    """The practitioner's stored rating; unsaved and empty (0, 0, None) before any approval."""
    return PractitionerRating.objects.filter(practitioner=profile).first() or PractitionerRating(
        practitioner=profile
    )


def rating_totals(profile) -> tuple:
    """(rating_sum, rating_count, rating_average) as stored for the practitioner."""
    rating = rating_of(profile)
    return rating.rating_sum, rating.rating_count, rating.rating_average


def approve(review, moderator):
    return services.review_approve(review_id=review.pk, moderator=moderator)


@pytest.fixture
def moderator(db):
    return make_moderator(name="Mo Derator")


@pytest.fixture
def practice(db):
    """(user, profile, service) of a published practitioner."""
    return make_practitioner(name="Mira Lind")


@pytest.fixture
def reviewer(db):
    return make_user(role=Role.CLIENT, name="Anna Kowalski", email="anna.kowalski@example.org")
