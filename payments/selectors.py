from bookings.models import Booking
from payments.models import Payment
from payments.stripe_client import publishable_key


def payment_info_for_booking(*, booking: Booking) -> dict | None:
    """The booking response's `payment` block, or None for a booking without a payment."""
    payment = Payment.objects.filter(booking=booking).first()
    return payment_info(payment) if payment else None


def payment_info(payment: Payment) -> dict:
    return {
        "provider": "stripe",
        "payment_intent_id": payment.payment_intent_id,
        "client_secret": payment.client_secret,
        "publishable_key": publishable_key(),
    }
