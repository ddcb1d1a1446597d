from bookings.models import Booking
from payments.models import Payment
from payments.stripe_client import publishable_key


def payment_info_for_booking(*, booking: Booking, viewer=None) -> dict | None:
    """The booking response's `payment` block, or None for a booking without a payment.

    Only the paying client sees it: the client_secret lets its holder pay the intent.
    """
    if viewer is not None and viewer.pk != booking.client_id:
        return None
    try:
        payment = booking.payment
    except Payment.DoesNotExist:
        return None
    return payment_info(payment)


def payment_info(payment: Payment) -> dict:
    return {
        "provider": "stripe",
        "payment_intent_id": payment.payment_intent_id,
        "client_secret": payment.client_secret,
        "publishable_key": publishable_key(),
    }
