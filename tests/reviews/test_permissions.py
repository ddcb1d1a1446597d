"""The permission matrix: every review endpoint against every kind of caller.

Each row is one endpoint; each column one caller. A denied call must also leave the
state untouched, and an allowed one must have done its work.
"""

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from bookings.models import BookingStatus
from reviews.models import Review, ReviewReport, ReviewStatus
from tests.factories import (
    client_for,
    make_booking,
    make_moderator,
    make_practitioner,
    make_review,
    make_staff,
    make_user,
)
from tests.reviews.conftest import approve, rating_of

pytestmark = pytest.mark.django_db

ACTORS = [
    "anonymous",
    "client",
    "booking_client",
    "other_client",
    "practitioner",
    "other_practitioner",
    "moderator",
    "staff",
]


@dataclass
class World:
    users: dict
    profile: object
    completed_booking: object
    pending_review: Review
    approved_review: Review


@pytest.fixture
def world(db):
    prac_user, profile, service = make_practitioner(name="Mira Lind")
    other_prac_user, _, _ = make_practitioner(name="Olaf Berg")
    booking_client = make_user(role=Role.CLIENT, name="Anna Kowalski")
    other_client = make_user(role=Role.CLIENT, name="Ben Otto")
    moderator = make_moderator(name="Mo Derator")
    # "other client" has a completed booking of their own with the same practitioner.
    make_booking(client=other_client, service=service, status=BookingStatus.COMPLETED)
    users = {
        "anonymous": None,
        "client": make_user(role=Role.CLIENT, name="Cleo Client"),
        "booking_client": booking_client,
        "other_client": other_client,
        "practitioner": prac_user,
        "other_practitioner": other_prac_user,
        "moderator": moderator,
        "staff": make_staff(name="Stef Staff"),
    }
    pending = make_review(client=booking_client, service=service, rating=2)
    approved = approve(make_review(client=booking_client, service=service, rating=5), moderator)
    return World(
        users=users,
        profile=profile,
        completed_booking=make_booking(
            client=booking_client, service=service, status=BookingStatus.COMPLETED
        ),
        pending_review=pending,
        approved_review=approved,
    )


def _call_create(api, w):
    return api.post(
        f"/api/v1/bookings/{w.completed_booking.pk}/review/",
        {"rating": 4, "text": "Very attentive and gentle treatment."},
    )


def _check_create(w, ok):
    assert Review.objects.filter(booking=w.completed_booking).exists() == ok


def _call_reply(api, w):
    return api.post(f"/api/v1/reviews/{w.approved_review.pk}/reply/", {"text": "Thank you!"})


def _check_reply(w, ok):
    w.approved_review.refresh_from_db()
    assert (w.approved_review.reply == "Thank you!") == ok


def _call_report(api, w):
    return api.post(f"/api/v1/reviews/{w.approved_review.pk}/report/", {"reason": "Not true."})


def _check_report(w, ok):
    assert ReviewReport.objects.filter(review=w.approved_review).count() == (1 if ok else 0)


def _call_queue(api, w):
    return api.get("/api/v1/moderation/reviews/?status=pending")


def _check_queue(w, ok):
    pass  # a read: the response body is checked in _call_and_check


def _call_approve(api, w):
    return api.post(f"/api/v1/moderation/reviews/{w.pending_review.pk}/approve/")


def _check_approve(w, ok):
    w.pending_review.refresh_from_db()
    w.profile.refresh_from_db()
    assert w.pending_review.status == (ReviewStatus.APPROVED if ok else ReviewStatus.PENDING)
    assert rating_of(w.profile).rating_count == (2 if ok else 1)


def _call_reject(api, w):
    return api.post(
        f"/api/v1/moderation/reviews/{w.pending_review.pk}/reject/", {"reason": "Off topic."}
    )


def _check_reject(w, ok):
    w.pending_review.refresh_from_db()
    assert w.pending_review.status == (ReviewStatus.REJECTED if ok else ReviewStatus.PENDING)


def _call_public(api, w):
    return api.get(f"/api/v1/practitioners/{w.profile.pk}/reviews/")


def _check_public(w, ok):
    pass


ENDPOINTS = {
    "POST bookings/{id}/review/": (_call_create, _check_create),
    "POST reviews/{id}/reply/": (_call_reply, _check_reply),
    "POST reviews/{id}/report/": (_call_report, _check_report),
    "GET moderation/reviews/": (_call_queue, _check_queue),
    "POST moderation/reviews/{id}/approve/": (_call_approve, _check_approve),
    "POST moderation/reviews/{id}/reject/": (_call_reject, _check_reject),
    "GET practitioners/{id}/reviews/": (_call_public, _check_public),
}

# Expected status per endpoint, in ACTORS order:
#   anonymous, client, booking_client, other_client, practitioner, other_practitioner,
#   moderator (group member), staff
MATRIX = {
    "POST bookings/{id}/review/": (401, 404, 201, 404, 403, 404, 404, 404),
    "POST reviews/{id}/reply/": (401, 403, 403, 403, 200, 403, 403, 403),
    "POST reviews/{id}/report/": (401, 201, 403, 201, 201, 201, 201, 201),
    "GET moderation/reviews/": (401, 403, 403, 403, 403, 403, 200, 200),
    "POST moderation/reviews/{id}/approve/": (401, 403, 403, 403, 403, 403, 200, 200),
    "POST moderation/reviews/{id}/reject/": (401, 403, 403, 403, 403, 403, 200, 200),
    "GET practitioners/{id}/reviews/": (200, 200, 200, 200, 200, 200, 200, 200),
}

CASES = [
    pytest.param(endpoint, actor, expected, id=f"{endpoint}-{actor}")
    for endpoint, row in MATRIX.items()
    for actor, expected in zip(ACTORS, row, strict=True)
]


@pytest.mark.parametrize(("endpoint", "actor", "expected"), CASES)
def test_permission_matrix(world, endpoint, actor, expected):
    call, check = ENDPOINTS[endpoint]
    user = world.users[actor]
    api = client_for(user) if user else APIClient()

    response = call(api, world)

    assert response.status_code == expected, response.content
    body = response.json()
    if expected >= 400:
        assert body["code"], body  # every refusal is machine-readable
    if endpoint == "GET moderation/reviews/" and expected == 200:
        assert [r["id"] for r in body["results"]] == [str(world.pending_review.pk)]
    if endpoint == "GET practitioners/{id}/reviews/":
        assert [r["id"] for r in body["results"]] == [str(world.approved_review.pk)]
    check(world, expected < 300)


def test_matrix_covers_every_review_route():
    from reviews import urls

    assert len(urls.urlpatterns) == len(MATRIX) == len(ENDPOINTS)
