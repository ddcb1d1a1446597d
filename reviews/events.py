"""`review.published` for webhooks (webhooks.services.event_publish): the review as the
public list shows it, published in the transaction that approves it."""

from reviews.models import Review
from reviews.serializers import PublicReviewSerializer
from webhooks.services import event_publish


def review_published_publish(review: Review) -> None:
    review = Review.objects.select_related("client", "practitioner").get(pk=review.pk)
    event_publish(
        type="review.published",
        data=PublicReviewSerializer(review).data,
        owner_user_ids=[review.practitioner.user_id],
    )
