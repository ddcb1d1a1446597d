"""The payment port: how bookings moves money without knowing who moves it.

Bookings decides *what* money moves (start a payment for a hold, refund by policy,
refund a payment that arrived too late); an adapter in an upper app decides *how*.
The payments app implements `PaymentPort` with Stripe and registers it in its
`AppConfig.ready()`; tests register an in-memory double. Bookings never imports the
adapter, only this module and the errors in bookings.errors, which the adapter raises.

A project without a registered port is misconfigured: the system check in
bookings.apps and `require_registered()` (called by config.wsgi / config.asgi) fail
at startup with `PaymentPortMissing` instead of at the first paid booking.

Locks: the adapter's rows come after the booking's in bookings.locks' order. An
operation that runs "inside the caller's transaction" expects the caller to hold the
booking's lock (bookings.locks.lock_booking) already.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from bookings.models import Booking
    from directory.models import PractitionerProfile


class RefundReason(StrEnum):
    CANCELLATION = "cancellation"  # cancelled by either party: the policy amount
    SLOT_TAKEN = "slot_taken"  # paid after the hold lapsed and the slot was taken: all of it


class RefundSent(StrEnum):
    """What became of asking the provider to move a reserved refund's money."""

    SENT = "sent"  # the provider accepted it (or had already)
    PENDING = "pending"  # the provider could not be reached; it stays reserved for a retry
    REFUSED = "refused"  # the provider refused it; the reservation is released


@dataclass(frozen=True, slots=True)
class RefundReservation:
    """A refund recorded in the adapter's ledger whose money has not moved yet."""

    amount: int
    reference: object  # the adapter's own record; opaque to bookings


class RefundStatus(StrEnum):
    PENDING = "pending"  # recorded; the provider has not confirmed the money moved yet
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # the provider refused it; nothing was refunded


@dataclass(frozen=True, slots=True)
class RefundView:
    """The money a booking's client got (or is getting) back, in the booking's currency."""

    amount: int  # minor units
    status: RefundStatus


@dataclass(frozen=True, slots=True)
class PaymentView:
    """What a booking response shows of its payment to one viewer.

    `checkout` is what the client's browser needs to pay (Stripe.js: provider,
    payment_intent_id, client_secret, publishable_key), for the paying client only and
    None for everyone else; bookings shows it only while the hold runs. `refund` is the
    same for both parties.
    """

    checkout: dict | None = None
    refund: RefundView | None = None


NO_PAYMENT = PaymentView()


@dataclass(frozen=True, slots=True)
class TidyUpReport:
    cancelled_payments: int  # payments of bookings that will never be paid, now cancelled
    retried_refunds: int  # reserved refunds sent again


@runtime_checkable
class PaymentPort(Protocol):
    def ensure_payable(self, *, practitioner: PractitionerProfile) -> None:
        """Raise PractitionerCannotAcceptPayments if nobody could pay this practitioner.

        Asked before a hold is taken, so a refusal leaves nothing behind.
        """

    def ensure_provider_available(self) -> None:
        """Raise PaymentProviderUnavailable when the provider is known to be down right now
        (e.g. a circuit breaker is open), so that no hold is taken for a payment that could
        not start. Cheap: asks no provider."""

    def start_payment(self, *, booking: Booking) -> None:
        """Start the payment of a held (pending_payment) booking; repeating it is a no-op.

        Raises PaymentProviderUnavailable (worth a retry), PaymentNotPossible (the provider
        refused) or PractitionerCannotAcceptPayments. On any failure the adapter leaves
        nothing payable behind; bookings then releases the hold.
        """

    def cancel_payment(self, *, booking: Booking) -> bool:
        """Make a payment that was never completed impossible; True if one was cancelled."""

    def reserve_refund(
        self, *, booking: Booking, amount: int, reason: RefundReason
    ) -> RefundReservation | None:
        """Record a refund of up to `amount` in the ledger, inside the caller's transaction.

        Capped by what is still refundable; None when nothing was collected or nothing is
        left. Reserving again for the same booking and reason returns the first reservation.
        """

    def send_refund(self, reservation: RefundReservation) -> RefundSent:
        """Ask the provider to move a reserved refund's money (safe to repeat)."""

    def payment_view(self, *, booking: Booking, viewer) -> PaymentView:
        """What the booking response shows of the payment to `viewer` (a user, or None for
        a party that is not the client, such as a webhook): NO_PAYMENT without one."""

    def prefetch_payment_views(self, bookings: QuerySet[Booking]) -> QuerySet[Booking]:
        """`bookings` with whatever payment_view reads fetched along (no query per row)."""

    def tidy_up(self) -> TidyUpReport:
        """Periodic work: cancel payments of expired or cancelled bookings, retry refunds."""


class PaymentPortMissing(ImproperlyConfigured):
    pass


MISSING_MESSAGE = (
    "No payment port is registered: bookings cannot take paid bookings. Add the payments "
    "app to INSTALLED_APPS (its AppConfig.ready() registers the Stripe adapter), or "
    "register another implementation of bookings.payment_port.PaymentPort."
)

_registered: PaymentPort | None = None


def register(port: PaymentPort) -> None:
    """Make `port` the one that moves money; called from an AppConfig.ready()."""
    global _registered
    if not isinstance(port, PaymentPort):
        raise TypeError(f"{port!r} does not implement bookings.payment_port.PaymentPort")
    _registered = port


def is_registered() -> bool:
    return _registered is not None


def get() -> PaymentPort:
    if _registered is None:
        raise PaymentPortMissing(MISSING_MESSAGE)
    return _registered


def require_registered() -> None:
    """Fail now, with a clear message, when no port is registered (for WSGI/ASGI startup)."""
    get()


@contextlib.contextmanager
def swapped(port: PaymentPort | None) -> Iterator[PaymentPort | None]:
    """Use `port` (None: no port at all) inside the block, then restore the previous one."""
    global _registered
    previous = _registered
    _registered = port
    try:
        yield port
    finally:
        _registered = previous
