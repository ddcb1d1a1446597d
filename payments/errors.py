"""Domain errors of payments; core.errors.exception_handler maps them to HTTP.

The errors the payment port may raise are defined by bookings (bookings.errors), so
that bookings can react to them; the adapter raises those very classes.
"""

from bookings.errors import (  # noqa: F401 (re-exported: the port's errors)
    PaymentNotPossible,
    PaymentProviderUnavailable,
    PractitionerCannotAcceptPayments,
)
from core.errors import ApplicationError, Conflict


class RefundExceedsPayment(Conflict):
    code = "refund_exceeds_payment"
    message = "The refund would exceed what was paid."


class ConnectDisabled(Conflict):
    code = "connect_disabled"
    message = "Payouts to practitioners are not enabled on this platform."


class InvalidEvent(ApplicationError):
    code = "invalid_event"
    message = "The payload is not a Stripe event."


class BookingNotPayable(Conflict):
    code = "booking_not_payable"
    message = "This booking does not need a payment."
