"""Pay and refund against a real localstripe, webhooks delivered to the live server."""

from datetime import timedelta

import pytest
import stripe
from django.core.management import call_command
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from bookings.services import booking_payment_start
from payments.errors import PaymentProviderUnavailable, RefundExceedsPayment
from payments.intents import payment_start_for_booking, payments_cancel_unpayable
from payments.models import (
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
    StripeCustomer,
    WebhookEvent,
)
from payments.refunds import payment_refund
from tests.factories import make_booking, make_practitioner, make_user
from tests.payments.helpers import pay, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _status(booking):
    return Booking.objects.values_list("status", flat=True).get(pk=booking.pk)


def test_payment_intent_succeeded_confirms_booking(stripe_local):
    _, _, service = make_practitioner()
    client_user = make_user()
    booking = make_booking(
        client=client_user, service=service, status=BookingStatus.PENDING_PAYMENT
    )

    payment = payment_start_for_booking(booking=booking)

    intent = stripe_local.v1.payment_intents.retrieve(payment.payment_intent_id)
    assert intent.amount == 9000 and intent.currency == "eur"
    assert intent.metadata["booking_id"] == str(booking.pk)
    assert intent.customer == client_user.stripe_customer.stripe_customer_id
    assert intent.client_secret == payment.client_secret
    assert _status(booking) == BookingStatus.PENDING_PAYMENT

    assert pay(stripe_local, payment.payment_intent_id).status == "succeeded"

    wait_for(lambda: _status(booking) == BookingStatus.CONFIRMED)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    event = WebhookEvent.objects.get(type="payment_intent.succeeded")
    assert event.processed_at is not None and event.outcome == "confirmed booking"


def test_customer_is_created_once_per_client(stripe_local):
    _, _, service = make_practitioner()
    client_user = make_user()
    first = make_booking(client=client_user, service=service, status=BookingStatus.PENDING_PAYMENT)
    second = make_booking(
        client=client_user,
        service=service,
        start=first.start + timedelta(hours=2),
        status=BookingStatus.PENDING_PAYMENT,
    )
    p1 = payment_start_for_booking(booking=first)
    p2 = payment_start_for_booking(booking=second)
    assert p1.stripe_customer_id == p2.stripe_customer_id
    assert StripeCustomer.objects.filter(user=client_user).count() == 1
    # A repeated start returns the same payment rather than a second PaymentIntent.
    assert payment_start_for_booking(booking=first).pk == p1.pk


def test_declined_card_stays_pending_then_expires_and_intent_is_cancelled(stripe_local):
    _, _, service = make_practitioner()
    booking = make_booking(
        client=make_user(), service=service, status=BookingStatus.PENDING_PAYMENT
    )
    payment = payment_start_for_booking(booking=booking)

    with pytest.raises(stripe.CardError):
        pay(stripe_local, payment.payment_intent_id, "pm_card_chargeCustomerFail")

    wait_for(lambda: Payment.objects.get(pk=payment.pk).failure_count == 1)
    payment.refresh_from_db()
    assert payment.last_failure_code == "card_declined"
    assert payment.status == PaymentStatus.PENDING
    assert _status(booking) == BookingStatus.PENDING_PAYMENT

    # The hold runs out; expire_holds marks it expired, then payments cancels the intent.
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.EXPIRED)
    assert payments_cancel_unpayable() == 1
    assert stripe_local.v1.payment_intents.retrieve(payment.payment_intent_id).status == (
        "canceled"
    )
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELED


def _paid_booking(stripe_local):
    _, _, service = make_practitioner()
    booking = make_booking(
        client=make_user(), service=service, status=BookingStatus.PENDING_PAYMENT
    )
    payment = payment_start_for_booking(booking=booking)
    pay(stripe_local, payment.payment_intent_id)
    wait_for(lambda: Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED)
    booking.refresh_from_db()
    payment.refresh_from_db()
    return booking, payment


def test_cancel_refund_is_visible_in_localstripe_and_ledger_and_capped(stripe_local):
    booking, payment = _paid_booking(stripe_local)

    refund = payment_refund(booking=booking, amount=4500, reason="cancellation")

    assert refund.status == RefundStatus.SUCCEEDED
    remote = stripe_local.v1.refunds.retrieve(refund.stripe_refund_id)
    assert remote.amount == 4500 and remote.metadata["booking_id"] == str(booking.pk)
    payment.refresh_from_db()
    assert payment.refunded_amount == 4500
    # The same cancellation refunds once.
    again = payment_refund(booking=booking, amount=4500, reason="cancellation")
    assert again.pk == refund.pk
    assert len(stripe_local.v1.refunds.list(params={"charge": remote.charge}).data) == 1
    # Our ledger caps refunds (localstripe would not).
    with pytest.raises(RefundExceedsPayment):
        payment_refund(booking=booking, amount=4501, reason="slot_taken")
    assert Refund.objects.filter(payment=payment).count() == 1


def test_refund_of_an_unpaid_booking_moves_no_money(stripe_local):
    _, _, service = make_practitioner()
    booking = make_booking(
        client=make_user(), service=service, status=BookingStatus.PENDING_PAYMENT
    )
    payment_start_for_booking(booking=booking)
    assert payment_refund(booking=booking, amount=9000, reason="cancellation") is None
    assert not Refund.objects.exists()


def test_late_success_after_expiry_confirms_when_slot_still_free(stripe_local):
    _, _, service = make_practitioner()
    booking = make_booking(
        client=make_user(), service=service, status=BookingStatus.PENDING_PAYMENT
    )
    payment = payment_start_for_booking(booking=booking)
    Booking.objects.filter(pk=booking.pk).update(
        status=BookingStatus.EXPIRED, hold_expires_at=timezone.now() - timedelta(minutes=1)
    )

    pay(stripe_local, payment.payment_intent_id)

    wait_for(lambda: _status(booking) == BookingStatus.CONFIRMED)
    assert not Refund.objects.exists()


def test_unreachable_stripe_releases_hold_and_leaves_no_intent(stripe_local, settings):
    _, _, service = make_practitioner()
    booking = make_booking(
        client=make_user(), service=service, status=BookingStatus.PENDING_PAYMENT
    )
    before = len(stripe_local.v1.payment_intents.list(params={"limit": 100}).data)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # discard port: nothing listens

    with pytest.raises(PaymentProviderUnavailable):
        booking_payment_start(booking=booking)

    assert _status(booking) == BookingStatus.EXPIRED
    assert not Payment.objects.exists()
    assert len(stripe_local.v1.payment_intents.list(params={"limit": 100}).data) == before


def test_refund_left_pending_when_stripe_is_down_is_retried_by_expire_holds(
    stripe_local, settings, localstripe
):
    booking, payment = _paid_booking(stripe_local)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"

    refund = payment_refund(booking=booking, amount=9000, reason="cancellation")

    assert (refund.status, refund.stripe_refund_id) == (RefundStatus.PENDING, None)
    payment.refresh_from_db()
    assert payment.refunded_amount == 9000  # reserved: nothing else can refund it meanwhile
    with pytest.raises(RefundExceedsPayment):
        payment_refund(booking=booking, amount=1, reason="slot_taken")

    settings.STRIPE_API_BASE = localstripe
    Refund.objects.filter(pk=refund.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    call_command("expire_holds")

    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert stripe_local.v1.refunds.retrieve(refund.stripe_refund_id).amount == 9000
