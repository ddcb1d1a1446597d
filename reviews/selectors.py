from django.db.models import Count, Prefetch, Q, QuerySet

from directory.models import PractitionerProfile
from reviews.models import Review, ReviewFlag, ReviewStatus


def review_list_public(*, practitioner: PractitionerProfile) -> QuerySet[Review]:
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
            open_report_count=Count(
                "reports", filter=Q(reports__resolved_at__isnull=True), distinct=True
            ),
            report_count=Count("reports", distinct=True),
        )
        .order_by("created_at", "id")
    )
