"""Rating aggregates stay equal to a recomputation from approved reviews, whatever
sequence of approvals, rejections, reports and returns to pending happens."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db.models import Count, Sum
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from accounts.models import Role
from core.errors import ApplicationError
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
from tests.reviews.conftest import rating_of

THRESHOLD = 2
N_REPORTERS = 3


class RatingMachine(RuleBasedStateMachine):
    """Each example is a fresh practitioner; the model mirrors the expected statuses."""

    @initialize(ratings=st.lists(st.integers(1, 5), min_size=1, max_size=4))
    def setup(self, ratings):
        _, self.profile, service = make_practitioner(name="Mira Lind")
        client = make_user(role=Role.CLIENT, name="Anna Kowalski")
        self.moderator = make_moderator()
        # Reporters with a completed session: their reports count towards the threshold.
        self.reporters = [make_past_client(service=service) for _ in range(N_REPORTERS)]
        self.reviews = [
            make_review(client=client, service=service, rating=rating) for rating in ratings
        ]
        self.status = {review.pk: ReviewStatus.PENDING for review in self.reviews}
        self.open_reports = {review.pk: set() for review in self.reviews}
        self.ever_reported = set()

    def _pick(self, index):
        return self.reviews[index % len(self.reviews)]

    def _expect(self, call, allowed, code=None):
        if allowed:
            call()
            return
        with pytest.raises(ApplicationError) as caught:
            call()
        if code:
            assert caught.value.code == code

    @rule(index=st.integers(0, 3))
    def approve(self, index):
        review = self._pick(index)
        allowed = self.status[review.pk] != ReviewStatus.APPROVED
        self._expect(
            lambda: services.review_approve(review_id=review.pk, moderator=self.moderator),
            allowed,
            "invalid_transition",
        )
        if allowed:
            self.status[review.pk] = ReviewStatus.APPROVED
            self.open_reports[review.pk].clear()

    @rule(index=st.integers(0, 3))
    def reject(self, index):
        review = self._pick(index)
        allowed = self.status[review.pk] != ReviewStatus.REJECTED
        self._expect(
            lambda: services.review_reject(
                review_id=review.pk, moderator=self.moderator, reason="No."
            ),
            allowed,
            "invalid_transition",
        )
        if allowed:
            self.status[review.pk] = ReviewStatus.REJECTED
            self.open_reports[review.pk].clear()

    @rule(index=st.integers(0, 3), who=st.integers(0, N_REPORTERS - 1))
    def report(self, index, who):
        review, reporter = self._pick(index), self.reporters[who]
        approved = self.status[review.pk] == ReviewStatus.APPROVED
        allowed = approved and (review.pk, who) not in self.ever_reported
        self._expect(
            lambda: services.review_report(review_id=review.pk, user=reporter, reason="Unfair"),
            allowed,
            None if not approved else "already_reported",
        )
        if allowed:
            self.ever_reported.add((review.pk, who))
            self.open_reports[review.pk].add(who)
            if len(self.open_reports[review.pk]) >= THRESHOLD:
                self.status[review.pk] = ReviewStatus.PENDING  # back to the queue

    @precondition(lambda self: any(s == ReviewStatus.APPROVED for s in self.status.values()))
    @rule(data=st.data())
    def back_to_pending(self, data):
        """Enough fresh reporters at once send an approved review back to the queue."""
        approved = [r for r in self.reviews if self.status[r.pk] == ReviewStatus.APPROVED]
        review = data.draw(st.sampled_from(approved))
        fresh = [w for w in range(N_REPORTERS) if (review.pk, w) not in self.ever_reported]
        for who in fresh:
            if self.status[review.pk] != ReviewStatus.APPROVED:
                break
            self.report(self.reviews.index(review), who)

    @invariant()
    def statuses_match_the_model(self):
        if not hasattr(self, "reviews"):
            return
        stored = dict(Review.objects.filter(practitioner=self.profile).values_list("pk", "status"))
        assert stored == self.status

    @invariant()
    def aggregates_equal_a_recomputation(self):
        if not hasattr(self, "profile"):
            return
        rating = rating_of(PractitionerProfile.objects.get(pk=self.profile.pk))
        truth = Review.objects.filter(
            practitioner=self.profile, status=ReviewStatus.APPROVED
        ).aggregate(total=Sum("rating"), n=Count("pk"))
        total, n = truth["total"] or 0, truth["n"]
        assert (rating.rating_sum, rating.rating_count) == (total, n)
        if n == 0:
            assert rating.rating_average is None
        else:
            expected = (Decimal(total) / n).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            assert rating.rating_average == expected


MACHINE_SETTINGS = hypothesis_settings(
    max_examples=25,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.mark.django_db
def test_rating_aggregates_equal_recomputation_under_any_sequence(settings):
    settings.REVIEW_REPORT_THRESHOLD = THRESHOLD
    run_state_machine_as_test(RatingMachine, settings=MACHINE_SETTINGS)
