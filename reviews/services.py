"""Every write on reviews. Rating aggregates change in the transaction that changes a status.

Lock order everywhere: the practitioner profile first, then the review row (each in pk
order when there are several), then the practitioner's rating row, so two moderators or
reporters never deadlock.
"""

import logging
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.permissions import require_verified_email
from bookings.models import Booking, BookingStatus
from bookings.selectors import client_has_completed_booking
from core.errors import InvalidTransition, PermissionDenied
from directory.models import PractitionerProfile
from outbox.email import email_enqueue
from reviews.errors import (
    AlreadyReported,
    BookingNotCompleted,
    BookingNotFound,
    NotBookingClient,
    NotReviewedPractitioner,
    OwnReview,
    ReviewExists,
    ReviewNotApproved,
    ReviewNotFound,
)
from reviews.events import review_published_publish
from reviews.flags import detect_flags
from reviews.models import (
    REASON_MAX_LENGTH,
    REPLY_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    PractitionerRating,
    Review,
    ReviewFlag,
    ReviewReport,
    ReviewStatus,
)
from reviews.selectors import review_open_counted_reports, review_open_reports
from reviews.texts import review_approved_email

logger = logging.getLogger(__name__)


# Which statuses a moderator's decision may start from.
_ALLOWED_FROM = {
    ReviewStatus.APPROVED: {ReviewStatus.PENDING, ReviewStatus.REJECTED},
    ReviewStatus.REJECTED: {ReviewStatus.PENDING, ReviewStatus.APPROVED},
}


def rating_average(*, rating_sum: int, rating_count: int) -> Decimal | None:
    if rating_count == 0:
        return None
    return (Decimal(rating_sum) / Decimal(rating_count)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def _lock_profile_and_review(*, review_id) -> tuple[PractitionerProfile, Review]:
    practitioner_id = (
        Review.objects.filter(pk=review_id).values_list("practitioner_id", flat=True).first()
    )
    if practitioner_id is None:
        raise ReviewNotFound()
    # A review never changes practitioner, so the id read above stays right under the lock.
    profile = PractitionerProfile.objects.select_for_update().get(pk=practitioner_id)
    review = Review.objects.select_for_update().get(pk=review_id)
    return profile, review


def _apply_rating_change(
    *, profile: PractitionerProfile, review: Review, old_status: str, new_status: str
) -> None:
    """Keep the practitioner's rating equal to the sum over its approved reviews.

    The caller holds the profile's lock, so the rating row is created at most once.
    """
    was_counted = old_status == ReviewStatus.APPROVED
    counts = new_status == ReviewStatus.APPROVED
    if was_counted == counts:
        return
    rating, _ = PractitionerRating.objects.select_for_update().get_or_create(practitioner=profile)
    sign = 1 if counts else -1
    rating.rating_sum += sign * review.rating
    rating.rating_count += sign
    rating.rating_average = rating_average(
        rating_sum=rating.rating_sum, rating_count=rating.rating_count
    )
    rating.save(update_fields=["rating_sum", "rating_count", "rating_average"])


def _validate_text(*, field: str, value: str, max_length: int, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: ["This field may not be blank."]})
    if len(value) > max_length:
        raise ValidationError(
            {field: [f"Ensure this field has no more than {max_length} characters."]}
        )
    return value


def review_create(*, user: User, booking_id, rating: int, text: str) -> Review:
    """The booking's client reviews a completed booking, once. Every review starts pending.

    Only with a verified e-mail address (409 `email_unverified`)."""
    require_verified_email(user)
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise ValidationError({"rating": ["Must be an integer from 1 to 5."]})
    text = _validate_text(field="text", value=text, max_length=TEXT_MAX_LENGTH, required=False)
    with transaction.atomic(durable=True):
        # No lock needed: `completed` is final, and the one-to-one constraint settles a race.
        booking = Booking.objects.select_related("practitioner").filter(pk=booking_id).first()
        if booking is None or user.pk not in (booking.client_id, booking.practitioner.user_id):
            raise BookingNotFound()
        if booking.client_id != user.pk:
            raise NotBookingClient()
        if booking.status != BookingStatus.COMPLETED:
            raise BookingNotCompleted()
        if Review.objects.filter(booking=booking).exists():
            raise ReviewExists()
        try:
            with transaction.atomic():
                review = Review.objects.create(
                    booking=booking,
                    client_id=booking.client_id,
                    practitioner_id=booking.practitioner_id,
                    rating=rating,
                    text=text,
                    status=ReviewStatus.PENDING,
                )
        except IntegrityError as exc:
            # A concurrent request for the same booking won the race.
            raise ReviewExists() from exc
        ReviewFlag.objects.bulk_create(
            ReviewFlag(review=review, code=flag.code, detail=flag.detail)
            for flag in detect_flags(text)
        )
    return review


def _notify_practitioner_of_approval(*, review_id) -> None:
    review = Review.objects.select_related(
        "practitioner__user",
        "booking__client",
        "booking__practitioner__user",
        "booking__service",
        "booking__location",
    ).get(pk=review_id)
    recipient = review.practitioner.user.email
    if not recipient:
        return
    subject, body = review_approved_email(review=review)
    email_enqueue(to=recipient, subject=subject, body=body)


def _resolve_open_reports(*, review: Review, now) -> None:
    review_open_reports(review=review).update(resolved_at=now)


def _decide(*, review_id, moderator: User, new_status: str, reason: str = "") -> Review:
    now = timezone.now()
    profile, review = _lock_profile_and_review(review_id=review_id)
    old_status = review.status
    if old_status not in _ALLOWED_FROM[new_status]:
        raise InvalidTransition(
            f"A {old_status} review cannot be {new_status}.",
            extra={"status": old_status},
        )
    review.status = new_status
    review.moderated_by = moderator
    review.moderated_at = now
    review.rejection_reason = reason if new_status == ReviewStatus.REJECTED else ""
    review.save(
        update_fields=["status", "moderated_by", "moderated_at", "rejection_reason", "updated_at"]
    )
    _resolve_open_reports(review=review, now=now)
    _apply_rating_change(
        profile=profile, review=review, old_status=old_status, new_status=new_status
    )
    return review


def review_approve(*, review_id, moderator: User) -> Review:
    if not moderator.is_moderator:
        raise PermissionDenied("Only moderators can approve reviews.")
    with transaction.atomic(durable=True):
        review = _decide(review_id=review_id, moderator=moderator, new_status=ReviewStatus.APPROVED)
        _notify_practitioner_of_approval(review_id=review.pk)
        review_published_publish(review)
    return review


def review_reject(*, review_id, moderator: User, reason: str) -> Review:
    if not moderator.is_moderator:
        raise PermissionDenied("Only moderators can reject reviews.")
    reason = _validate_text(
        field="reason", value=reason, max_length=REASON_MAX_LENGTH, required=True
    )
    with transaction.atomic(durable=True):
        return _decide(
            review_id=review_id,
            moderator=moderator,
            new_status=ReviewStatus.REJECTED,
            reason=reason,
        )


def _visible_to(*, review: Review, practitioner_user_id, user: User) -> bool:
    return (
        review.status == ReviewStatus.APPROVED
        or review.client_id == user.pk
        or practitioner_user_id == user.pk
        or user.is_moderator
    )


def review_reply(*, review_id, user: User, text: str) -> Review:
    """The reviewed practitioner's one reply; posting again replaces it."""
    text = _validate_text(field="text", value=text, max_length=REPLY_MAX_LENGTH, required=True)
    with transaction.atomic(durable=True):
        review = (
            Review.objects.select_for_update(of=("self",))
            .select_related("practitioner")
            .filter(pk=review_id)
            .first()
        )
        if review is None or not _visible_to(
            review=review, practitioner_user_id=review.practitioner.user_id, user=user
        ):
            raise ReviewNotFound()
        if review.practitioner.user_id != user.pk:
            raise NotReviewedPractitioner()
        if review.status != ReviewStatus.APPROVED:
            raise ReviewNotApproved("Only an approved review can be answered.")
        review.reply = text
        review.replied_at = timezone.now()
        review.save(update_fields=["reply", "replied_at", "updated_at"])
    return review


def _report_counts(*, profile: PractitionerProfile, user: User) -> bool:
    """Whether a report weighs towards the threshold, so that it cannot be gamed.

    The reviewed practitioner's own reports never do, nor do those of accounts that
    have never completed a session (with any practitioner: the bar for a real client
    of the marketplace, which freshly registered accounts do not meet). Such reports
    are kept as notes for the moderators.
    """
    if profile.user_id == user.pk:
        return False
    return client_has_completed_booking(user=user)


def review_report(*, review_id, user: User, reason: str) -> ReviewReport:
    """Anyone signed in may report an approved review once.

    At REVIEW_REPORT_THRESHOLD open reports that count (see `_report_counts`) the review
    goes back to pending, out of the public list and the rating, until a moderator
    decides again. A decision answers every open report: after a re-approval only
    reports made since count, and since each user reports a review once, the reporters
    who sent it back cannot send it back again.
    """
    reason = _validate_text(
        field="reason", value=reason, max_length=REASON_MAX_LENGTH, required=True
    )
    with transaction.atomic(durable=True):
        profile, review = _lock_profile_and_review(review_id=review_id)
        if not _visible_to(review=review, practitioner_user_id=profile.user_id, user=user):
            raise ReviewNotFound()
        if review.client_id == user.pk:
            raise OwnReview()
        if review.status != ReviewStatus.APPROVED:
            raise ReviewNotApproved("Only an approved review can be reported.")
        if ReviewReport.objects.filter(review=review, reporter=user).exists():
            raise AlreadyReported()
        counts = _report_counts(profile=profile, user=user)
        report = ReviewReport.objects.create(
            review=review, reporter=user, reason=reason, counts_toward_threshold=counts
        )
        open_reports = review_open_counted_reports(review=review).count()
        if counts and open_reports >= settings.REVIEW_REPORT_THRESHOLD:
            review.status = ReviewStatus.PENDING
            review.save(update_fields=["status", "updated_at"])
            _apply_rating_change(
                profile=profile,
                review=review,
                old_status=ReviewStatus.APPROVED,
                new_status=ReviewStatus.PENDING,
            )
            logger.info("review %s back to pending after %s reports", review.pk, open_reports)
    return report
