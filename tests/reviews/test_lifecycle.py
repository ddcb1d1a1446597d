"""Review states through the HTTP API: writing, moderating, replying, reporting."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.models import Role
from bookings.models import BookingStatus
from outbox.models import MessageStatus, OutboxMessage
from reviews.models import Review, ReviewReport, ReviewStatus
from tests.factories import (
    client_for,
    make_booking,
    make_past_client,
    make_review,
    make_user,
    past_hour,
)
from tests.ports import closed_port
from tests.reviews.conftest import approve, rating_of, rating_totals

pytestmark = pytest.mark.django_db


def _approve(api, review_id):
    return api.post(f"/api/v1/moderation/reviews/{review_id}/approve/")


def _reject(api, review_id, reason="Contains contact details."):
    return api.post(f"/api/v1/moderation/reviews/{review_id}/reject/", {"reason": reason})


# --- writing -------------------------------------------------------------------------


def test_client_reviews_a_completed_booking_once(practice, reviewer):
    _, profile, service = practice
    booking = make_booking(client=reviewer, service=service, status=BookingStatus.COMPLETED)
    api = client_for(reviewer)
    url = f"/api/v1/bookings/{booking.pk}/review/"

    response = api.post(url, {"rating": 5, "text": "Deeply relaxing, I slept well for days."})

    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    review = Review.objects.get(pk=response.json()["id"])
    assert (review.client, review.practitioner, review.booking) == (reviewer, profile, booking)
    profile.refresh_from_db()
    assert rating_totals(profile) == (0, 0, None)

    again = api.post(url, {"rating": 1, "text": "Changed my mind about everything here."})
    assert again.status_code == 409
    assert again.json()["code"] == "review_exists"
    assert Review.objects.count() == 1


@pytest.mark.parametrize(
    "status",
    [
        BookingStatus.PENDING_PAYMENT,
        BookingStatus.CONFIRMED,
        BookingStatus.CANCELLED,
        BookingStatus.NO_SHOW,
        BookingStatus.EXPIRED,
    ],
)
def test_only_completed_bookings_can_be_reviewed(practice, reviewer, status):
    _, _, service = practice
    booking = make_booking(client=reviewer, service=service, start=past_hour(), status=status)
    response = client_for(reviewer).post(
        f"/api/v1/bookings/{booking.pk}/review/", {"rating": 4, "text": "Lovely place."}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "booking_not_completed"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rating": 0, "text": "Fine"}, "rating"),
        ({"rating": 6, "text": "Fine"}, "rating"),
        ({"rating": "five", "text": "Fine"}, "rating"),
        ({"text": "Fine"}, "rating"),
        ({"rating": 3}, "text"),
        ({"rating": 3, "text": "x" * 5001}, "text"),
    ],
)
def test_bad_review_input_is_a_400(practice, reviewer, body, field):
    _, _, service = practice
    booking = make_booking(client=reviewer, service=service, status=BookingStatus.COMPLETED)
    response = client_for(reviewer).post(f"/api/v1/bookings/{booking.pk}/review/", body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]


def test_review_of_unknown_booking_is_404(reviewer):
    response = client_for(reviewer).post(
        "/api/v1/bookings/00000000-0000-0000-0000-000000000000/review/",
        {"rating": 4, "text": "Nice"},
    )
    assert response.status_code == 404
    assert response.json()["code"] == "booking_not_found"


# --- moderation ----------------------------------------------------------------------


def test_approve_counts_in_rating_records_who_and_mails_practitioner(
    practice, reviewer, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    prac_user, profile, service = practice
    first = make_review(client=reviewer, service=service, rating=5)
    second = make_review(client=reviewer, service=service, rating=4)
    third = make_review(client=reviewer, service=service, rating=4)
    api = client_for(moderator)

    with django_capture_on_commit_callbacks(execute=True):
        response = _approve(api, first.pk)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "approved"
    assert body["moderated_by"] == str(moderator.pk)
    assert body["moderated_at"]
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [prac_user.email]
    assert "5 of 5" in mailoutbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        _approve(api, second.pk)
        _approve(api, third.pk)
    profile.refresh_from_db()
    assert (rating_of(profile).rating_sum, rating_of(profile).rating_count) == (13, 3)
    assert rating_of(profile).rating_average == Decimal("4.33")
    assert len(mailoutbox) == 3

    again = _approve(api, first.pk)
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"
    profile.refresh_from_db()
    assert rating_of(profile).rating_count == 3


def test_reject_requires_a_reason_and_removes_an_approved_review_from_rating(
    practice, reviewer, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    _, profile, service = practice
    review = approve(make_review(client=reviewer, service=service, rating=3), moderator)
    profile.refresh_from_db()
    assert rating_totals(profile) == (3, 1, 3)
    api = client_for(moderator)

    for body in ({}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 1001}):
        response = api.post(f"/api/v1/moderation/reviews/{review.pk}/reject/", body)
        assert response.status_code == 400, body
        assert "reason" in response.json()["fields"]

    with django_capture_on_commit_callbacks(execute=True):
        response = _reject(api, review.pk, "Names another client.")
    assert response.status_code == 200
    assert response.json()["rejection_reason"] == "Names another client."
    review.refresh_from_db()
    assert review.status == ReviewStatus.REJECTED
    assert review.moderated_by == moderator
    profile.refresh_from_db()
    assert rating_totals(profile) == (0, 0, None)
    assert mailoutbox == []  # only approvals are announced

    assert _reject(api, review.pk).json()["code"] == "invalid_transition"
    # A moderator may change their mind: a rejected review can still be approved.
    assert _approve(api, review.pk).json()["rejection_reason"] == ""
    profile.refresh_from_db()
    assert rating_of(profile).rating_count == 1


def test_decisions_on_unknown_review_are_404(moderator):
    api = client_for(moderator)
    missing = "00000000-0000-0000-0000-000000000000"
    assert _approve(api, missing).status_code == 404
    assert _reject(api, missing).status_code == 404


def test_queue_is_oldest_first_with_flags_status_filter_and_report_counts(
    practice, reviewer, moderator
):
    _, _, service = practice
    old = make_review(client=reviewer, service=service, text="Lovely, call her on 0170 1234567")
    mid = approve(make_review(client=reviewer, service=service), moderator)
    new = make_review(client=reviewer, service=service, text="ok")
    ReviewReport.objects.create(review=mid, reporter=make_user(), reason="Fake")
    api = client_for(moderator)

    everything = api.get("/api/v1/moderation/reviews/").json()
    assert [r["id"] for r in everything["results"]] == [str(old.pk), str(mid.pk), str(new.pk)]

    pending = api.get("/api/v1/moderation/reviews/?status=pending").json()["results"]
    assert [r["id"] for r in pending] == [str(old.pk), str(new.pk)]
    assert pending[0]["flags"] == [{"code": "phone", "detail": "0170 1234567"}]
    assert pending[1]["flags"] == [{"code": "too_short", "detail": ""}]
    assert pending[0]["client"]["public_name"] == "Anna K."
    assert "email" not in pending[0]["client"]

    approved = api.get("/api/v1/moderation/reviews/?status=approved").json()["results"]
    assert [(r["id"], r["report_count"], r["open_report_count"]) for r in approved] == [
        (str(mid.pk), 1, 1)
    ]

    by_flag = api.get("/api/v1/moderation/reviews/?flag=phone").json()["results"]
    assert [r["id"] for r in by_flag] == [str(old.pk)]

    for bad in ("status=maybe", "flag=rude", "practitioner=nope"):
        response = api.get(f"/api/v1/moderation/reviews/?{bad}")
        assert response.status_code == 400, bad
        assert response.json()["code"] == "invalid"


# --- replies -------------------------------------------------------------------------


def test_practitioner_replies_once_and_may_edit(practice, reviewer, moderator):
    prac_user, profile, service = practice
    review = approve(make_review(client=reviewer, service=service), moderator)
    api = client_for(prac_user)
    url = f"/api/v1/reviews/{review.pk}/reply/"

    first = api.post(url, {"text": "Thank you, Anna!"})
    assert first.status_code == 200
    assert first.json()["reply"] == "Thank you, Anna!"
    edited = api.post(url, {"text": "Thank you, Anna. See you soon."})
    assert edited.status_code == 200

    public = APIClient().get(f"/api/v1/practitioners/{profile.slug}/reviews/").json()["results"]
    assert public[0]["reply"] == "Thank you, Anna. See you soon."
    assert public[0]["replied_at"]
    assert api.post(url, {"text": ""}).status_code == 400
    assert api.post(url, {"text": "x" * 2001}).status_code == 400


def test_reply_to_a_pending_review(practice, reviewer):
    prac_user, _, service = practice
    review = make_review(client=reviewer, service=service)
    url = f"/api/v1/reviews/{review.pk}/reply/"

    response = client_for(prac_user).post(url, {"text": "Thanks"})
    assert response.status_code == 409
    assert response.json()["code"] == "review_not_approved"
    # Someone who cannot see the pending review does not learn it exists.
    stranger = make_user(role=Role.PRACTITIONER)
    assert client_for(stranger).post(url, {"text": "Hi"}).status_code == 404


# --- reports -------------------------------------------------------------------------


def test_reports_at_threshold_send_review_back_to_pending(practice, reviewer, moderator, settings):
    settings.REVIEW_REPORT_THRESHOLD = 3
    _, profile, service = practice
    kept = approve(make_review(client=reviewer, service=service, rating=5), moderator)
    review = approve(make_review(client=reviewer, service=service, rating=1), moderator)
    # Clients who have had a session (with this practitioner or another): their reports count.
    reporters = [client_for(make_past_client(service=service)) for _ in range(4)]
    url = f"/api/v1/reviews/{review.pk}/report/"
    public_url = f"/api/v1/practitioners/{profile.pk}/reviews/"

    for api in reporters[:2]:
        assert api.post(url, {"reason": "Defamatory"}).status_code == 201
    duplicate = reporters[0].post(url, {"reason": "Still defamatory"})
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "already_reported"
    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED
    assert len(APIClient().get(public_url).json()["results"]) == 2

    assert reporters[2].post(url, {"reason": "Fake"}).status_code == 201

    review.refresh_from_db()
    assert review.status == ReviewStatus.PENDING
    profile.refresh_from_db()
    assert rating_totals(profile) == (5, 1, 5)
    assert [r["id"] for r in APIClient().get(public_url).json()["results"]] == [str(kept.pk)]
    # Out of the public eye, it cannot be reported further until a moderator decides.
    assert reporters[3].post(url, {"reason": "Me too"}).status_code == 404
    queue = client_for(moderator).get("/api/v1/moderation/reviews/?status=pending").json()
    assert [(r["id"], r["open_report_count"]) for r in queue["results"]] == [(str(review.pk), 3)]

    # Re-approval answers the open reports: counting starts again from zero.
    assert _approve(client_for(moderator), review.pk).json()["open_report_count"] == 0
    assert reporters[3].post(url, {"reason": "Me too"}).status_code == 201
    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED
    profile.refresh_from_db()
    assert (rating_of(profile).rating_sum, rating_of(profile).rating_count) == (6, 2)


def test_report_needs_a_reason_and_an_approved_review(practice, reviewer, moderator):
    prac_user, _, service = practice
    pending = make_review(client=reviewer, service=service)
    approved = approve(make_review(client=reviewer, service=service), moderator)
    api = client_for(prac_user)

    assert api.post(f"/api/v1/reviews/{approved.pk}/report/", {}).status_code == 400
    response = api.post(f"/api/v1/reviews/{pending.pk}/report/", {"reason": "Untrue"})
    assert response.status_code == 409
    assert response.json()["code"] == "review_not_approved"
    own = client_for(reviewer).post(f"/api/v1/reviews/{approved.pk}/report/", {"reason": "x"})
    assert own.json()["code"] == "own_review"


def test_a_failing_mail_server_does_not_fail_the_approval(
    practice, reviewer, moderator, settings, django_capture_on_commit_callbacks
):
    _, profile, service = practice
    review = make_review(client=reviewer, service=service, rating=4)
    # A real SMTP client against a loopback port nobody listens on: connection refused.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()

    with django_capture_on_commit_callbacks(execute=True):
        response = _approve(client_for(moderator), review.pk)

    assert response.status_code == 200
    profile.refresh_from_db()
    assert rating_of(profile).rating_count == 1
    # The e-mail is kept for a retry, not lost.
    message = OutboxMessage.objects.get(recipient=profile.user.email)
    assert (message.status, message.attempts) == (MessageStatus.PENDING, 1)
    assert "Connection refused" in message.last_error or "ConnectionRefused" in message.last_error
    assert message.next_attempt_at > message.created_at
