"""Demo data: every rating is made of approved reviews the public list shows."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from bookings.models import Booking, BookingStatus
from directory.models import PractitionerProfile
from reviews.models import PractitionerRating, Review

pytestmark = pytest.mark.django_db


def public(api_client, path, **params):
    response = api_client.get(f"/api/v1/{path}", params)
    assert response.status_code == 200, response.json()
    return response.json()


def test_demo_ratings_are_the_approved_reviews_the_profiles_list(api_client):
    call_command("seed_demo", practitioners=24, seed=3, stdout=StringIO())
    # A rating without reviews, as benchmark data leaves it: repaired, not kept.
    stale = PractitionerProfile.objects.order_by("slug").first()
    PractitionerRating.objects.create(
        practitioner=stale, rating_sum=16, rating_count=4, rating_average=Decimal("4.00")
    )
    out = StringIO()
    call_command("seed_demo_reviews", seed=2, stdout=out)
    assert "reviews of" in out.getvalue()

    searched = {
        r["slug"]: r for r in public(api_client, "practitioners/", page_size=100)["results"]
    }
    assert len(searched) == 24
    counts = []
    for slug in PractitionerProfile.objects.values_list("slug", flat=True):
        profile = public(api_client, f"practitioners/{slug}/")
        listed = public(api_client, f"practitioners/{slug}/reviews/", page_size=100)
        ratings = [review["rating"] for review in listed["results"]]
        assert profile["review_count"] == listed["count"] == len(ratings), slug
        assert searched[slug]["review_count"] == len(ratings), slug
        if ratings:
            average = round(sum(ratings) / len(ratings), 2)
            assert profile["rating_average"] == pytest.approx(average, abs=0.005), slug
            assert searched[slug]["rating_average"] == profile["rating_average"]
        else:
            assert profile["rating_average"] is None and searched[slug]["rating_average"] is None
        counts.append(len(ratings))
    assert any(counts) and not all(counts)  # some rated, some not: both cases are checked

    # Each review is of a completed session of its writer with that practitioner.
    for review in Review.objects.select_related("booking"):
        assert review.booking.status == BookingStatus.COMPLETED
        assert (review.booking.client_id, review.booking.practitioner_id) == (
            review.client_id,
            review.practitioner_id,
        )
    writer = User.objects.get(pk=Review.objects.first().client_id)
    assert writer.check_password("demo-client")


def test_seed_demo_reviews_if_empty_and_again(api_client):
    call_command("seed_demo", practitioners=6, seed=1, stdout=StringIO())
    call_command("seed_demo_reviews", share=1, stdout=StringIO())
    reviews, bookings = Review.objects.count(), Booking.objects.count()
    assert reviews == bookings > 0
    out = StringIO()
    call_command("seed_demo_reviews", if_empty=True, stdout=out)
    assert "nothing to do" in out.getvalue() and Review.objects.count() == reviews
    # Without --if-empty, practitioners that have reviews get no more.
    call_command("seed_demo_reviews", share=1, stdout=StringIO())
    assert Review.objects.count() == reviews
