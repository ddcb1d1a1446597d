"""The public review list of a practitioner: approved only, newest first, no e-mails."""

import pytest
from rest_framework.test import APIClient

from reviews import services
from tests.factories import client_for, make_practitioner, make_review, make_user
from tests.reviews.conftest import approve

pytestmark = pytest.mark.django_db


def test_public_list_shows_approved_reviews_newest_first_without_emails(
    practice, reviewer, moderator
):
    prac_user, profile, service = practice
    older = approve(make_review(client=reviewer, service=service, rating=5), moderator)
    newer = approve(
        make_review(
            client=make_user(name="Jonas", email="jonas@example.org"),
            service=service,
            rating=3,
            text="Good, if a little rushed at the end of it.",
        ),
        moderator,
    )
    make_review(client=reviewer, service=service)  # pending
    rejected = make_review(client=reviewer, service=service)
    services.review_reject(review_id=rejected.pk, moderator=moderator, reason="Off topic")
    services.review_reply(review_id=older.pk, user=prac_user, text="Thank you, Anna.")
    _, _, other_service = make_practitioner(name="Olaf Berg")
    approve(make_review(client=reviewer, service=other_service), moderator)

    response = APIClient().get(f"/api/v1/practitioners/{profile.pk}/reviews/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first, second = body["results"]
    assert first == {
        "id": str(newer.pk),
        "rating": 3,
        "text": "Good, if a little rushed at the end of it.",
        "created_at": first["created_at"],
        "client_name": "Jonas",
        "reply": None,
        "replied_at": None,
    }
    assert second["id"] == str(older.pk)
    assert second["client_name"] == "Anna K."
    assert second["reply"] == "Thank you, Anna."
    assert first["created_at"].endswith("Z")
    assert "@" not in response.content.decode()


def test_public_list_by_slug_paginates_and_hides_unknown_or_unpublished(
    practice, reviewer, moderator
):
    _, profile, service = practice
    for _ in range(3):
        approve(make_review(client=reviewer, service=service), moderator)
    api = APIClient()

    page = api.get(f"/api/v1/practitioners/{profile.slug}/reviews/?page_size=2").json()
    assert page["count"] == 3
    assert len(page["results"]) == 2
    assert page["next"]

    assert api.get("/api/v1/practitioners/no-such-person/reviews/").status_code == 404
    missing = api.get("/api/v1/practitioners/00000000-0000-0000-0000-000000000000/reviews/")
    assert missing.status_code == 404
    assert missing.json()["code"] == "practitioner_not_found"
    profile.is_published = False
    profile.save()
    assert api.get(f"/api/v1/practitioners/{profile.pk}/reviews/").status_code == 404


def test_lists_take_a_fixed_number_of_queries(
    practice, reviewer, moderator, django_assert_max_num_queries
):
    _, profile, service = practice
    for n in range(6):
        review = make_review(
            client=make_user(name=f"Client Number{n}"),
            service=service,
            text="Visit www.example.com" if n % 2 else "Quiet, warm and professional care.",
        )
        if n < 3:
            approve(review, moderator)
    moderation = client_for(moderator)

    # Public: profile, count, page. Queue: user, moderator group, the user's authenticator
    # (moderating requires two-factor), count, page, flags.
    with django_assert_max_num_queries(3):
        public = APIClient().get(f"/api/v1/practitioners/{profile.pk}/reviews/")
    assert len(public.json()["results"]) == 3
    with django_assert_max_num_queries(6):
        queue = moderation.get("/api/v1/moderation/reviews/")
    assert len(queue.json()["results"]) == 6
