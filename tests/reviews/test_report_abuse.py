"""Reports that cannot be gamed: the reviewed practitioner's own reports and those of
accounts without a completed session are notes for moderators, not votes; a re-approved
review is not sent back by the reporters who sent it back before."""

import pytest
from django.test import Client

from bookings.models import BookingStatus
from reviews.models import ReviewReport, ReviewStatus
from tests.factories import (
    client_for,
    make_booking,
    make_past_client,
    make_practitioner,
    make_review,
    make_user,
)
from tests.reviews.conftest import approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(practice, reviewer, moderator, settings):
    settings.REVIEW_REPORT_THRESHOLD = 2
    _, _, service = practice
    return approve(make_review(client=reviewer, service=service, rating=1), moderator)


def report(user, review, reason="Not true"):
    return client_for(user).post(f"/api/v1/reviews/{review.pk}/report/", {"reason": reason})


def status_of(review):
    review.refresh_from_db()
    return review.status


def queue_entry(moderator, review):
    queue = client_for(moderator).get("/api/v1/moderation/reviews/").json()["results"]
    return next(r for r in queue if r["id"] == str(review.pk))


def test_fresh_accounts_cannot_send_a_review_back(approved, moderator):
    for _ in range(5):
        assert report(make_user(), approved).status_code == 201
    assert status_of(approved) == ReviewStatus.APPROVED
    # They still reach the moderators, as notes.
    assert queue_entry(moderator, approved)["open_report_count"] == 5
    assert not ReviewReport.objects.filter(counts_toward_threshold=True).exists()


def test_the_practitioner_own_report_does_not_count(approved, practice):
    prac_user, _, service = practice
    # Even with completed sessions of their own (as a client elsewhere) it stays a note.
    _, _, elsewhere = make_practitioner(name="Olaf Berg")
    make_booking(client=prac_user, service=elsewhere, status=BookingStatus.COMPLETED)
    assert report(prac_user, approved).status_code == 201
    assert report(make_past_client(service=service), approved).status_code == 201
    assert status_of(approved) == ReviewStatus.APPROVED
    assert report(make_past_client(service=service), approved).status_code == 201
    assert status_of(approved) == ReviewStatus.PENDING


def test_a_session_with_any_practitioner_qualifies_but_not_one_still_to_come(approved):
    _, _, elsewhere = make_practitioner(name="Olaf Berg")
    upcoming = make_user()
    make_booking(client=upcoming, service=elsewhere, status=BookingStatus.CONFIRMED)
    cancelled = make_user()
    make_booking(client=cancelled, service=elsewhere, status=BookingStatus.CANCELLED)
    for user in (upcoming, cancelled):
        assert report(user, approved).status_code == 201
    assert status_of(approved) == ReviewStatus.APPROVED

    for _ in range(2):
        assert report(make_past_client(service=elsewhere), approved).status_code == 201
    assert status_of(approved) == ReviewStatus.PENDING


def test_a_re_approved_review_is_not_sent_back_by_the_same_reporters(approved, practice, moderator):
    _, _, service = practice
    first = [make_past_client(service=service) for _ in range(2)]
    for user in first:
        report(user, approved)
    assert status_of(approved) == ReviewStatus.PENDING
    approve(approved, moderator)

    for user in first:
        again = report(user, approved, "Still not true")
        assert (again.status_code, again.json()["code"]) == (409, "already_reported")
    assert status_of(approved) == ReviewStatus.APPROVED

    # Only new qualifying reporters count, from zero: one is not enough, two are.
    assert report(make_past_client(service=service), approved).status_code == 201
    assert report(make_user(), approved).status_code == 201  # a note
    assert status_of(approved) == ReviewStatus.APPROVED
    assert report(make_past_client(service=service), approved).status_code == 201
    assert status_of(approved) == ReviewStatus.PENDING


def test_the_admin_shows_which_reports_counted(approved, practice, admin_client):
    _, _, service = practice
    report(make_user(name="Fresh Account"), approved)
    report(make_past_client(service=service, name="Real Client"), approved)
    page = admin_client.get(f"/admin/reviews/review/{approved.pk}/change/")
    assert page.status_code == 200
    inline = page.context["inline_admin_formsets"][-1]
    counted = {
        form.original.reporter.name: form.original.counts_toward_threshold for form in inline
    }
    assert counted == {"Fresh Account": False, "Real Client": True}
    assert "counts toward threshold" in page.content.decode().lower()
    assert Client().get(f"/admin/reviews/review/{approved.pk}/change/").status_code == 302
