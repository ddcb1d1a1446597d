"""Writes on bookings: the whole lifecycle, from the hold to the last refund.

- creation: POST /bookings/ (hold, idempotency, starting the payment through the port),
  and resuming that payment (POST /bookings/{id}/pay/);
- transitions: cancel (with its policy refund), reschedule, complete, no-show;
- settlement: confirm once paid, refund a late payment, expire holds, payment tidy-up;
- calendar: the feed tokens.

Money moves only through bookings.payment_port; rows are locked in the order of
bookings.locks. Top-level writes open durable transactions; confirm and expire, which
the payment adapter calls inside its own transaction, open plain ones.
"""

from bookings.services.calendar import calendar_feed_token_get_or_create, calendar_feed_token_rotate
from bookings.services.creation import (
    booking_create_idempotent,
    booking_payment_resume,
    booking_payment_start,
    booking_release_failed_start,
    idempotency_keys_purge,
    request_fingerprint,
)
from bookings.services.settlement import (
    PaymentOutcome,
    PaymentSettled,
    booking_confirm,
    booking_expire,
    booking_payment_succeeded,
    bookings_expire_lapsed_holds,
    bookings_tidy_up_payments,
)
from bookings.services.transitions import (
    booking_cancel,
    booking_complete,
    booking_mark_no_show,
    booking_reschedule,
    refund_amount_for_cancellation,
)

__all__ = [
    "PaymentOutcome",
    "PaymentSettled",
    "booking_cancel",
    "booking_complete",
    "booking_confirm",
    "booking_create_idempotent",
    "booking_expire",
    "booking_mark_no_show",
    "booking_payment_resume",
    "booking_payment_start",
    "booking_payment_succeeded",
    "booking_release_failed_start",
    "booking_reschedule",
    "bookings_expire_lapsed_holds",
    "bookings_tidy_up_payments",
    "calendar_feed_token_get_or_create",
    "calendar_feed_token_rotate",
    "idempotency_keys_purge",
    "refund_amount_for_cancellation",
    "request_fingerprint",
]
