import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from bookings.models import Booking
from directory.models import PractitionerProfile

TEXT_MAX_LENGTH = 5_000
REPLY_MAX_LENGTH = 2_000
REASON_MAX_LENGTH = 1_000


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class FlagCode(models.TextChoices):
    LINK = "link", "Link"
    EMAIL = "email", "E-mail address"
    PHONE = "phone", "Phone number"
    PROFANITY = "profanity", "Profanity"
    SHOUTING = "shouting", "Shouting"
    TOO_SHORT = "too_short", "Very short text"


class Review(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="review")
    # Copied from the booking so the queue, the public list and the rating need no join.
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews_written"
    )
    practitioner = models.ForeignKey(
        PractitionerProfile, on_delete=models.PROTECT, related_name="reviews"
    )
    rating = models.PositiveSmallIntegerField()
    text = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH)
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True, max_length=REASON_MAX_LENGTH)
    reply = models.TextField(blank=True, max_length=REPLY_MAX_LENGTH)
    replied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # The moderation queue: one status, oldest first.
            models.Index(fields=["status", "created_at"], name="review_queue_idx"),
            # The public list: one practitioner's approved reviews, newest first.
            models.Index(
                fields=["practitioner", "status", "-created_at"], name="review_public_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="review_rating_range"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), TEXT_MAX_LENGTH),
                name="review_text_length",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReviewStatus.REJECTED) | ~Q(rejection_reason=""),
                name="review_rejected_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.rating}★ for {self.practitioner} ({self.status})"


class ReviewFlag(models.Model):
    """An automatic hint for moderators, found in the text at submission. Never decides alone."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="flags")
    code = models.CharField(max_length=20, choices=FlagCode.choices)
    # What matched (the link, the word ...), so a moderator sees why at a glance.
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["review", "code"], name="review_flag_unique"),
        ]
        indexes = [models.Index(fields=["code", "review"], name="review_flag_code_idx")]

    def __str__(self):
        return self.code


class ReviewReport(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_reports"
    )
    reason = models.TextField(max_length=REASON_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when a moderator decides on the review again: the report has been answered and
    # no longer counts towards the threshold.
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Whether the report weighs towards REVIEW_REPORT_THRESHOLD (decided when it is made,
    # see reviews.services.review_report); one that does not is a note for moderators.
    counts_toward_threshold = models.BooleanField(default=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["review", "reporter"], name="review_report_once"),
        ]
        indexes = [models.Index(fields=["review", "resolved_at"], name="review_report_open_idx")]

    def __str__(self):
        return f"report on {self.review_id} by {self.reporter_id}"


class PractitionerRating(models.Model):
    """A practitioner's rating from approved reviews only, kept by reviews.services in the
    transaction that changes a review's status. No row: not rated yet."""

    practitioner = models.OneToOneField(
        PractitionerProfile, on_delete=models.PROTECT, primary_key=True, related_name="rating"
    )
    rating_sum = models.PositiveIntegerField(default=0)
    rating_count = models.PositiveIntegerField(default=0)
    rating_average = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)

    class Meta:
        indexes = [
            # The search's `min_rating` and `ordering=-rating` (SQLite allows no NULLS
            # LAST in an index).
            models.Index(fields=["-rating_average", "-rating_count"], name="rating_rank_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating_count=0) | Q(rating_sum__gte=F("rating_count")),
                name="rating_consistent",
            ),
        ]

    def __str__(self):
        return f"{self.rating_average} ({self.rating_count}) for {self.practitioner_id}"
