"""Domain errors of bookings; core.errors.exception_handler maps them to HTTP.

The payment errors are the ones a payment port (bookings.payment_port) may raise
and bookings reacts to; the adapter raises these very classes, so bookings can catch
them without knowing which app moves the money.
"""

from core.errors import ApplicationError, Conflict, InvalidTransition, ServiceUnavailable

__all__ = [
    "HoldExpired",
    "IdempotencyKeyReused",
    "InvalidTransition",
    "NotAwaitingPayment",
    "PaymentNotPossible",
    "PaymentProviderUnavailable",
    "PractitionerCannotAcceptPayments",
    "SearchTooBroad",
    "SlotUnavailable",
]


class SlotUnavailable(Conflict):
    code = "slot_unavailable"
    message = "That time is not a free slot (any more)."


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    message = "This Idempotency-Key was already used with a different request body."


class NotAwaitingPayment(Conflict):
    code = "booking_not_pending_payment"
    message = "This booking is not waiting for a payment."


class HoldExpired(Conflict):
    code = "hold_expired"
    message = "The hold on this slot has lapsed; book it again."


class PaymentProviderUnavailable(ServiceUnavailable):
    code = "payment_provider_unavailable"
    message = "The payment provider cannot be reached; nothing was booked. Try again shortly."


class PaymentNotPossible(Conflict):
    code = "payment_not_possible"
    message = "The payment provider refused this payment; nothing was booked."


class PractitionerCannotAcceptPayments(Conflict):
    code = "practitioner_cannot_accept_payments"
    message = "This practitioner cannot accept payments yet."


class SearchTooBroad(ApplicationError):
    code = "search_too_broad"
    message = "Too many practitioners match to check availability; narrow the search."
