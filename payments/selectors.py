from bookings.models import Booking
from bookings.payment_port import NO_PAYMENT, PaymentView, RefundStatus, RefundView
from payments.models import Payment
from payments.models import RefundStatus as LedgerRefundStatus
from payments.stripe_client import publishable_key


def payment_view_for_booking(*, booking: Booking, viewer=None) -> PaymentView:
    """What a booking response shows of its payment: the Stripe.js data for the paying
    client only (the client_secret lets its holder pay the intent), the refund for both."""
    try:
        payment = booking.payment
    except Payment.DoesNotExist:
        return NO_PAYMENT
    checkout = (
        payment_info(payment) if viewer is not None and viewer.pk == booking.client_id else None
    )
    return PaymentView(checkout=checkout, refund=refund_view(payment))


def refund_view(payment: Payment) -> RefundView | None:
    """All of a payment's refunds as one: those not refused, summed, pending while any is;
    only refused ones: the last, failed. None without a refund."""
    refunds = list(payment.refunds.all())  # prefetched in lists
    if not refunds:
        return None
    live = [refund for refund in refunds if refund.status != LedgerRefundStatus.FAILED]
    if not live:
        return RefundView(amount=refunds[-1].amount, status=RefundStatus.FAILED)
    pending = any(refund.status == LedgerRefundStatus.PENDING for refund in live)
    return RefundView(
        amount=sum(refund.amount for refund in live),
        status=RefundStatus.PENDING if pending else RefundStatus.SUCCEEDED,
    )


def payment_info(payment: Payment) -> dict:
    return {
        "provider": "stripe",
        "payment_intent_id": payment.payment_intent_id,
        "client_secret": payment.client_secret,
        "publishable_key": publishable_key(),
    }
