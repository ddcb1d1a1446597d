"""The Django admin queue: what it lists, its filters (opening on "Pending"), and bulk
decisions that go through the services."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client

from accounts.models import Role
from reviews.models import ReviewStatus
from tests.factories import admin_client_for, make_review, make_staff, make_user
from tests.reviews.conftest import approve, rating_of, rating_totals

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/reviews/review/"
# Every status, as after choosing "All": actions post to the list the moderator looks at.
EVERYTHING = f"{CHANGELIST}?status=all"


@pytest.fixture
def staff():
    user = make_staff(name="Stef Staff")
    return user, admin_client_for(user)


@pytest.fixture
def queue(practice, reviewer, moderator):
    _, _, service = practice
    return {
        "linky": make_review(
            client=reviewer, service=service, rating=2, text="See www.spam.com now"
        ),
        "calm": make_review(client=reviewer, service=service, rating=5),
        "approved": approve(make_review(client=reviewer, service=service, rating=4), moderator),
    }


def test_the_queue_opens_on_pending_and_filters_by_status_and_flag(staff, queue):
    _, browser = staff
    opening = browser.get(CHANGELIST)
    assert opening.status_code == 200
    assert {r.pk for r in opening.context["cl"].result_list} == {
        queue["linky"].pk,
        queue["calm"].pk,
    }
    # The status filter offers each status and "All", with "Pending" chosen.
    (status_filter,) = [f for f in opening.context["cl"].filter_specs if f.title == "status"]
    choices = list(status_filter.choices(opening.context["cl"]))
    assert [c["display"] for c in choices] == ["Pending", "Approved", "Rejected", "All"]
    assert [c["display"] for c in choices if c["selected"]] == ["Pending"]

    everything = browser.get(CHANGELIST, {"status": "all"}).context["cl"]
    assert everything.result_count == 3
    approved = browser.get(CHANGELIST, {"status": "approved"}).context["cl"]
    assert [r.pk for r in approved.result_list] == [queue["approved"].pk]
    assert browser.get(CHANGELIST, {"status": "rejected"}).context["cl"].result_count == 0
    linked = browser.get(CHANGELIST, {"flag": "link"}).context["cl"]
    assert [r.pk for r in linked.result_list] == [queue["linky"].pk]
    unflagged = browser.get(CHANGELIST, {"flag": "none", "status": "all"}).context["cl"]
    assert {r.pk for r in unflagged.result_list} == {queue["calm"].pk, queue["approved"].pk}
    pending_unflagged = browser.get(CHANGELIST, {"flag": "none"}).context["cl"]
    assert [r.pk for r in pending_unflagged.result_list] == [queue["calm"].pk]


def test_the_queue_shows_excerpt_author_practitioner_and_flags(staff, practice, reviewer):
    _, browser = staff
    _, _, service = practice
    long_text = "Calm and careful from the first minute. " * 10 + "www.spam.com"
    review = make_review(client=reviewer, service=service, rating=3, text=long_text)

    response = browser.get(CHANGELIST)

    cl = response.context["cl"]
    assert cl.list_display[1:5] == ["created_at", "excerpt", "client", "practitioner"]
    assert "flag_codes" in cl.list_display
    row = response.content.decode()
    assert "Calm and careful from the first minute." in row
    assert long_text not in row  # an excerpt, not the whole text
    assert reviewer.email in row
    assert "Mira Lind" in row
    flags = ", ".join(flag.code for flag in review.flags.all())
    assert flags and flags in row


def test_bulk_approve_goes_through_the_service(
    staff, queue, practice, mailoutbox, django_capture_on_commit_callbacks
):
    user, browser = staff
    _, profile, _ = practice
    ids = [queue["linky"].pk, queue["calm"].pk, queue["approved"].pk]

    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            EVERYTHING, {"action": "approve_selected", ACTION_CHECKBOX_NAME: ids}, follow=True
        )

    assert response.status_code == 200
    text = response.content.decode()
    assert "2 reviews approved" in text
    assert "1 review not approved" in text  # the one already approved
    for review in queue.values():
        review.refresh_from_db()
        assert review.status == ReviewStatus.APPROVED
    assert queue["calm"].moderated_by == user
    profile.refresh_from_db()
    assert (
        rating_of(profile).rating_sum,
        rating_of(profile).rating_count,
        str(rating_of(profile).rating_average),
    ) == (
        11,
        3,
        "3.67",
    )
    # One e-mail per approval: the two made here, and the fixture's own approval, whose
    # outbox row the same delivery run sends (the fixture ran no on-commit callbacks).
    assert len(mailoutbox) == 3


def test_bulk_reject_asks_for_a_reason_then_goes_through_the_service(staff, queue, practice):
    user, browser = staff
    _, profile, _ = practice
    ids = [queue["linky"].pk, queue["approved"].pk]
    data = {"action": "reject_selected", ACTION_CHECKBOX_NAME: ids}

    form = browser.post(EVERYTHING, data)
    assert form.status_code == 200
    assert b'name="reason"' in form.content
    queue["linky"].refresh_from_db()
    assert queue["linky"].status == ReviewStatus.PENDING  # nothing happens before a reason

    missing = browser.post(EVERYTHING, {**data, "apply": "1", "reason": ""})
    assert b'name="reason"' in missing.content
    done = browser.post(EVERYTHING, {**data, "apply": "1", "reason": "Advertising"}, follow=True)

    assert "2 reviews rejected" in done.content.decode()
    for key in ("linky", "approved"):
        queue[key].refresh_from_db()
        assert queue[key].status == ReviewStatus.REJECTED
        assert queue[key].rejection_reason == "Advertising"
        assert queue[key].moderated_by == user
    profile.refresh_from_db()
    assert rating_totals(profile) == (0, 0, None)


def test_reviews_cannot_be_edited_added_or_deleted_in_admin(staff, queue):
    _, browser = staff
    review = queue["calm"]
    assert browser.get(f"{CHANGELIST}add/").status_code == 403
    assert browser.get(f"{CHANGELIST}{review.pk}/delete/").status_code == 403
    browser.post(f"{CHANGELIST}{review.pk}/change/", {"status": "approved", "rating": 1})
    review.refresh_from_db()
    assert (review.status, review.rating) == (ReviewStatus.PENDING, 5)


def test_admin_queue_is_closed_to_non_staff(queue):
    browser = Client()
    browser.force_login(make_user(role=Role.CLIENT))
    response = browser.get(CHANGELIST)
    assert response.status_code == 302  # to the admin login: not staff
