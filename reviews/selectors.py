import uuid

from django.db.models import Count, Prefetch, Q, QuerySet

from config.errors import NotFound
from directory.models import PractitionerProfile
from reviews.models import Review, ReviewFlag, ReviewStatus


def practitioner_get_public(*, id_or_slug: str) -> PractitionerProfile:
    """A published practitioner by UUID or slug; anything else is a 404."""
    try:
        lookup = Q(pk=uuid.UUID(id_or_slug))
    except ValueError:
        lookup = Q(slug=id_or_slug)
    profile = PractitionerProfile.objects.filter(lookup, is_published=True).first()
    if profile is None:
        raise NotFound("Practitioner not found.", code="practitioner_not_found")
    return profile


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
