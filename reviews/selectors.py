from django.db.models import Count, Prefetch, Q, QuerySet

from directory.selectors import published_practitioner_get
from reviews.models import Review, ReviewFlag, ReviewReport, ReviewStatus


def _open_report(prefix: str = "") -> Q:
    """A report still awaiting a moderator's decision (the rule, written once)."""
    return Q(**{f"{prefix}resolved_at__isnull": True})


def review_open_reports(*, review: Review) -> QuerySet[ReviewReport]:
    return ReviewReport.objects.filter(_open_report(), review=review)


def review_open_counted_reports(*, review: Review) -> QuerySet[ReviewReport]:
    """Open reports that weigh towards REVIEW_REPORT_THRESHOLD (the others are notes)."""
    return review_open_reports(review=review).filter(counts_toward_threshold=True)


def open_report_count() -> Count:
    """Annotation of a Review queryset: its reports still awaiting a decision."""
    return Count("reports", filter=_open_report("reports__"), distinct=True)


def review_list_public(*, id_or_slug: str) -> QuerySet[Review]:
    """Approved reviews of a published practitioner, newest first; 404 for an unknown one."""
    practitioner = published_practitioner_get(id_or_slug=id_or_slug)
    return (
        Review.objects.filter(practitioner=practitioner, status=ReviewStatus.APPROVED)
        .select_related("client")
        .order_by("-created_at", "-id")
    )


def review_list_moderation() -> QuerySet[Review]:
    """The queue, oldest first, with flags and the count of reports still awaiting a decision."""
    return (
        Review.objects.select_related("client", "practitioner", "moderated_by")
        .prefetch_related(Prefetch("flags", queryset=ReviewFlag.objects.order_by("code")))
        .annotate(
            open_report_count=open_report_count(), report_count=Count("reports", distinct=True)
        )
        .order_by("created_at", "id")
    )
