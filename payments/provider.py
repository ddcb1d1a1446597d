"""The Stripe adapter of bookings' payment port, registered in PaymentsConfig.ready()."""

from django.db.models import QuerySet

from bookings.models import Booking
from bookings.payment_port import PaymentView, RefundReservation, RefundSent, TidyUpReport
from directory.models import PractitionerProfile
from payments import intents, refunds
from payments.selectors import payment_view_for_booking


class StripePaymentPort:
    """bookings.payment_port.PaymentPort, with PaymentIntents and our ledger."""

    def ensure_payable(self, *, practitioner: PractitionerProfile) -> None:
        intents.payment_check_practitioner(practitioner=practitioner)

    def ensure_provider_available(self) -> None:
        intents.payment_check_provider()

    def start_payment(self, *, booking: Booking) -> None:
        intents.payment_start_for_booking(booking=booking)

    def cancel_payment(self, *, booking: Booking) -> bool:
        return intents.payment_cancel_for_booking(booking=booking)

    def reserve_refund(self, *, booking: Booking, amount: int, reason) -> RefundReservation | None:
        refund = refunds.refund_reserve_capped(booking=booking, amount=amount, reason=reason)
        if refund is None:
            return None
        return RefundReservation(amount=refund.amount, reference=refund)

    def send_refund(self, reservation: RefundReservation) -> RefundSent:
        return refunds.refund_send(reservation.reference)

    def payment_view(self, *, booking: Booking, viewer) -> PaymentView:
        return payment_view_for_booking(booking=booking, viewer=viewer)

    def prefetch_payment_views(self, bookings: QuerySet[Booking]) -> QuerySet[Booking]:
        return bookings.select_related("payment").prefetch_related("payment__refunds")

    def tidy_up(self) -> TidyUpReport:
        return TidyUpReport(
            cancelled_payments=intents.payments_cancel_unpayable(),
            retried_refunds=refunds.refunds_retry_pending(),
        )
