"""Concurrent moderation on PostgreSQL: row locks keep the aggregates exact."""

import pytest

from directory.models import PractitionerProfile
from reviews import services
from reviews.models import Review, ReviewStatus
from tests.factories import (
    make_moderator,
    make_past_client,
    make_practitioner,
    make_review,
    make_user,
)
from tests.reviews.conftest import rating_of, rating_totals
from tests.threads import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_approvals_never_lose_a_rating():
    _, profile, service = make_practitioner()
    client = make_user(name="Anna Kowalski")
    moderators = [make_moderator() for _ in range(6)]
    ratings = [5, 4, 3, 5, 1, 2]
    reviews = [make_review(client=client, service=service, rating=r) for r in ratings]

    errors = run_together(
        [
            lambda r=review, m=mod: services.review_approve(review_id=r.pk, moderator=m)
            for review, mod in zip(reviews, moderators, strict=True)
        ]
    )

    assert errors == []
    profile = PractitionerProfile.objects.get(pk=profile.pk)
    assert (rating_of(profile).rating_sum, rating_of(profile).rating_count) == (
        sum(ratings),
        len(ratings),
    )
    assert str(rating_of(profile).rating_average) == "3.33"


def test_concurrent_reports_cross_the_threshold_once(settings):
    settings.REVIEW_REPORT_THRESHOLD = 3
    _, profile, service = make_practitioner()
    moderator = make_moderator()
    review = make_review(client=make_user(), service=service, rating=5)
    services.review_approve(review_id=review.pk, moderator=moderator)
    reporters = [make_past_client(service=service) for _ in range(5)]

    errors = run_together(
        [
            lambda u=user: services.review_report(review_id=review.pk, user=u, reason="Fake")
            for user in reporters
        ]
    )

    # Three reports land; the review then leaves the public eye and later ones are refused.
    assert len(errors) == 2
    assert {exc.code for exc in errors} == {"review_not_found"}
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.PENDING
    profile = PractitionerProfile.objects.get(pk=profile.pk)
    assert rating_totals(profile) == (0, 0, None)
