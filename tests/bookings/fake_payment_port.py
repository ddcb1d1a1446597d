"""An in-memory payment port: a real implementation of bookings.payment_port's contract.

It keeps its own small ledger (payments by booking, refunds reserved per reason and
capped by what is still refundable), records every call in `calls`, and can be told to
fail: `unpayable` practitioners, `provider_down`, `start_error`, `reserve_error`, `refund_result`.
`pay(booking)` plays the provider reporting a successful payment, the way the real
adapter's webhook does: lock the booking, record the success, ask bookings what to do.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from django.db import transaction

from bookings.errors import PractitionerCannotAcceptPayments
from bookings.locks import lock_booking
from bookings.models import Booking, BookingStatus
from bookings.payment_port import (
    NO_PAYMENT,
    PaymentView,
    RefundReservation,
    RefundSent,
    RefundStatus,
    RefundView,
    TidyUpReport,
)
from bookings.services import PaymentOutcome, booking_payment_succeeded


@dataclass
class FakeRefund:
    amount: int
    reason: str
    state: str = "reserved"  # reserved -> sent | pending (provider down) | refused


@dataclass
class FakePayment:
    amount: int
    status: str = "pending"  # pending -> succeeded | canceled
    refunds: list[FakeRefund] = field(default_factory=list)

    @property
    def refundable(self) -> int:
        if self.status != "succeeded":
            return 0
        return self.amount - sum(r.amount for r in self.refunds if r.state != "refused")


class FakePaymentPort:
    def __init__(self):
        self.calls: list[tuple] = []
        self.payments: dict = {}  # booking id -> FakePayment
        self.unpayable: set = set()  # practitioner ids nobody can pay
        self.start_error: Exception | None = None
        self.provider_down: Exception | None = None
        self.reserve_error: Exception | None = None
        self.refund_result = RefundSent.SENT

    # --- the port -------------------------------------------------------------------

    def ensure_payable(self, *, practitioner) -> None:
        self.calls.append(("ensure_payable", practitioner.pk))
        if practitioner.pk in self.unpayable:
            raise PractitionerCannotAcceptPayments()

    def ensure_provider_available(self) -> None:
        self.calls.append(("ensure_provider_available",))
        if self.provider_down is not None:
            raise self.provider_down

    def start_payment(self, *, booking) -> None:
        self.calls.append(("start_payment", booking.pk))
        if booking.pk in self.payments:
            return
        if self.start_error is not None:
            raise self.start_error
        self.payments[booking.pk] = FakePayment(amount=booking.amount)

    def cancel_payment(self, *, booking) -> bool:
        self.calls.append(("cancel_payment", booking.pk))
        payment = self.payments.get(booking.pk)
        if payment is None or payment.status != "pending":
            return False
        payment.status = "canceled"
        return True

    def reserve_refund(self, *, booking, amount, reason) -> RefundReservation | None:
        self.calls.append(("reserve_refund", booking.pk, amount, str(reason)))
        if self.reserve_error is not None:
            raise self.reserve_error
        payment = self.payments.get(booking.pk)
        if payment is None:
            return None
        amount = min(amount, payment.refundable)
        if amount <= 0:
            return None
        for refund in payment.refunds:
            if refund.reason == reason and refund.state != "refused":
                return RefundReservation(amount=refund.amount, reference=refund)
        refund = FakeRefund(amount=amount, reason=str(reason))
        payment.refunds.append(refund)
        return RefundReservation(amount=amount, reference=refund)

    def send_refund(self, reservation: RefundReservation) -> RefundSent:
        refund = reservation.reference
        self.calls.append(("send_refund", refund.amount, refund.reason))
        if refund.state == "sent":
            return RefundSent.SENT
        refund.state = {
            RefundSent.SENT: "sent",
            RefundSent.PENDING: "pending",
            RefundSent.REFUSED: "refused",
        }[self.refund_result]
        return self.refund_result

    def payment_view(self, *, booking, viewer) -> PaymentView:
        payment = self.payments.get(booking.pk)
        if payment is None:
            return NO_PAYMENT
        checkout = None
        if viewer is not None and viewer.pk == booking.client_id:
            checkout = {
                "provider": "fake",
                "payment_intent_id": f"fake_{booking.pk.hex[:12]}",
                "client_secret": "fake_secret",
                "publishable_key": "pk_fake",
            }
        return PaymentView(checkout=checkout, refund=self._refund_view(payment))

    @staticmethod
    def _refund_view(payment: FakePayment) -> RefundView | None:
        if not payment.refunds:
            return None
        live = [r for r in payment.refunds if r.state != "refused"]
        if not live:
            return RefundView(amount=payment.refunds[-1].amount, status=RefundStatus.FAILED)
        done = all(r.state == "sent" for r in live)
        return RefundView(
            amount=sum(r.amount for r in live),
            status=RefundStatus.SUCCEEDED if done else RefundStatus.PENDING,
        )

    def prefetch_payment_views(self, bookings):
        return bookings

    def tidy_up(self) -> TidyUpReport:
        self.calls.append(("tidy_up",))
        closed = set(
            Booking.objects.filter(
                pk__in=list(self.payments),
                status__in=[BookingStatus.EXPIRED, BookingStatus.CANCELLED],
            ).values_list("pk", flat=True)
        )
        cancelled = 0
        for booking_id, payment in self.payments.items():
            if booking_id in closed and payment.status == "pending":
                payment.status = "canceled"
                cancelled += 1
        retried = 0
        for payment in self.payments.values():
            for refund in payment.refunds:
                if refund.state == "pending":
                    refund.state = "sent" if self.refund_result == RefundSent.SENT else "pending"
                    retried += 1
        return TidyUpReport(cancelled_payments=cancelled, retried_refunds=retried)

    # --- playing the provider ---------------------------------------------------------

    def pay(self, booking) -> PaymentOutcome:
        """The provider reports the booking's payment succeeded; all or nothing."""
        before = copy.deepcopy(self.payments)
        try:
            with transaction.atomic():
                booking = lock_booking(booking)
                self.payments[booking.pk].status = "succeeded"
                return booking_payment_succeeded(booking=booking)
        except Exception:
            self.payments = before  # the transaction rolled back: so does this ledger
            raise

    def refunds_of(self, booking) -> list[tuple[int, str, str]]:
        return [(r.amount, r.reason, r.state) for r in self.payments[booking.pk].refunds]

    def operations(self) -> list[str]:
        return [call[0] for call in self.calls]
