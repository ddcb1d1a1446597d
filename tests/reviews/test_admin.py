"""The Django admin queue: filters, and bulk decisions that go through the services."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client

from accounts.models import Role
from reviews.models import ReviewStatus
from tests.factories import admin_client_for, make_review, make_staff, make_user
from tests.reviews.conftest import approve, rating_of, rating_totals

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/reviews/review/"


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


def test_changelist_filters_by_status_and_flag(staff, queue):
    _, browser = staff
    everything = browser.get(CHANGELIST)
    assert everything.status_code == 200
    assert everything.context["cl"].result_count == 3

    pending = browser.get(CHANGELIST, {"status__exact": "pending"}).context["cl"]
    assert {r.pk for r in pending.result_list} == {queue["linky"].pk, queue["calm"].pk}
    linked = browser.get(CHANGELIST, {"flag": "link"}).context["cl"]
    assert [r.pk for r in linked.result_list] == [queue["linky"].pk]
    unflagged = browser.get(CHANGELIST, {"flag": "none"}).context["cl"]
    assert {r.pk for r in unflagged.result_list} == {queue["calm"].pk, queue["approved"].pk}


def test_bulk_approve_goes_through_the_service(
    staff, queue, practice, mailoutbox, django_capture_on_commit_callbacks
):
    user, browser = staff
    _, profile, _ = practice
    ids = [queue["linky"].pk, queue["calm"].pk, queue["approved"].pk]

    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            CHANGELIST, {"action": "approve_selected", ACTION_CHECKBOX_NAME: ids}, follow=True
        )

    assert response.status_code == 200
    text = response.content.decode()
    assert "2 review(s) approved" in text
    assert "1 review(s) skipped" in text  # the one already approved
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

    form = browser.post(CHANGELIST, data)
    assert form.status_code == 200
    assert b'name="reason"' in form.content
    queue["linky"].refresh_from_db()
    assert queue["linky"].status == ReviewStatus.PENDING  # nothing happens before a reason

    missing = browser.post(CHANGELIST, {**data, "apply": "1", "reason": ""})
    assert b'name="reason"' in missing.content
    done = browser.post(CHANGELIST, {**data, "apply": "1", "reason": "Advertising"}, follow=True)

    assert "2 review(s) rejected" in done.content.decode()
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
