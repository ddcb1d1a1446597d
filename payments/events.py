"""`payment.refunded` for webhooks (webhooks.services.event_publish): published when a
refund is recorded as succeeded, in the transaction that records it."""

from payments.models import Refund
from payments.serializers import RefundEventSerializer
from webhooks.services import event_publish


def refund_succeeded_publish(refund: Refund) -> None:
    refund = Refund.objects.select_related("payment__booking__practitioner").get(pk=refund.pk)
    event_publish(
        type="payment.refunded",
        data=RefundEventSerializer(refund).data,
        owner_user_ids=[refund.payment.booking.practitioner.user_id],
    )
