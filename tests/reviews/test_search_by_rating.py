"""Moderation decisions flow into directory search and the profile (rating_average,
review_count, min_rating, ordering=-rating)."""

import pytest
from rest_framework.test import APIClient

from bookings.models import BookingStatus
from tests.factories import (
    client_for,
    make_booking,
    make_past_client,
    make_practitioner,
    make_user,
)

pytestmark = pytest.mark.django_db


def _review(reviewer, profile, service, rating):
    booking = make_booking(client=reviewer, service=service, status=BookingStatus.COMPLETED)
    response = client_for(reviewer).post(
        f"/api/v1/bookings/{booking.pk}/review/",
        {"rating": rating, "text": "An honest account of a calm session."},
    )
    assert response.status_code == 201
    return response.json()["id"]


def _search(**params):
    response = APIClient().get("/api/v1/practitioners/", params)
    assert response.status_code == 200, response.content
    return [(r["slug"], r["rating_average"], r["review_count"]) for r in response.json()["results"]]


def test_approvals_drive_search_and_profile_ratings(moderator, settings):
    settings.REVIEW_REPORT_THRESHOLD = 2
    _, alma, alma_service = make_practitioner(name="Alma Berg")
    _, bruno, bruno_service = make_practitioner(name="Bruno Cole")
    _, _, _ = make_practitioner(name="Carla Dunn")  # never reviewed
    reviewer = make_user(name="Anna Kowalski")
    mod = client_for(moderator)

    alma_reviews = [_review(reviewer, alma, alma_service, r) for r in (5, 4)]
    bruno_reviews = [_review(reviewer, bruno, bruno_service, r) for r in (5, 3, 3)]
    # Pending reviews count nowhere.
    assert sorted(_search()) == [
        ("alma-berg", None, 0),
        ("bruno-cole", None, 0),
        ("carla-dunn", None, 0),
    ]

    for review_id in alma_reviews + bruno_reviews:
        assert mod.post(f"/api/v1/moderation/reviews/{review_id}/approve/").status_code == 200

    assert _search(ordering="-rating") == [
        ("alma-berg", 4.5, 2),
        ("bruno-cole", 3.67, 3),
        ("carla-dunn", None, 0),
    ]
    assert _search(min_rating="4") == [("alma-berg", 4.5, 2)]
    assert _search(min_rating="3.5", ordering="-rating") == [
        ("alma-berg", 4.5, 2),
        ("bruno-cole", 3.67, 3),
    ]
    detail = APIClient().get("/api/v1/practitioners/alma-berg/").json()
    assert (detail["rating_average"], detail["review_count"]) == (4.5, 2)

    # Rejecting an approved review takes it out of the rating straight away.
    rejected = mod.post(
        f"/api/v1/moderation/reviews/{bruno_reviews[1]}/reject/",
        {"reason": "Not about the session"},
    )
    assert rejected.status_code == 200
    assert _search(ordering="-rating")[:2] == [("alma-berg", 4.5, 2), ("bruno-cole", 4.0, 2)]
    assert _search(min_rating="4") == [("alma-berg", 4.5, 2), ("bruno-cole", 4.0, 2)]

    # Reports past the threshold send Alma's 5 back to pending: out of search too.
    for _ in range(2):
        # Clients with a session (here with Bruno): their reports count.
        reporter = client_for(make_past_client(service=bruno_service))
        response = reporter.post(f"/api/v1/reviews/{alma_reviews[0]}/report/", {"reason": "Fake"})
        assert response.status_code == 201
    # Equal averages: the one with more reviews first (directory's tie-break).
    assert _search(ordering="-rating") == [
        ("bruno-cole", 4.0, 2),
        ("alma-berg", 4.0, 1),
        ("carla-dunn", None, 0),
    ]
    assert _search(min_rating="4.5") == []
    detail = APIClient().get(f"/api/v1/practitioners/{alma.pk}/").json()
    assert (detail["rating_average"], detail["review_count"]) == (4.0, 1)
