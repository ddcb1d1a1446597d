"""The booking rules against the payment port's in-memory double (no Stripe at all).

Holds, payment start and its failures, policy refunds, reschedule, late payments both
ways and the periodic tidy-up: bookings decides, the port only moves money. The same
flows run end to end against localstripe in tests/payments/test_api_flow.py.
"""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.utils import OperationalError
from django.utils import timezone

from bookings import payment_port
from bookings.errors import PaymentNotPossible, PaymentProviderUnavailable
from bookings.models import Booking, BookingStatus
from bookings.payment_port import RefundSent
from bookings.services import PaymentSettled, booking_create_idempotent
from tests.bookings.conftest import free_start, iso
from tests.bookings.fake_payment_port import FakePayment
from tests.factories import client_for, make_booking, make_practitioner, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/bookings/"


@pytest.fixture
def practice(db):
    # 24 h window, late cancellations refund 25 %.
    user, profile, service = make_practitioner(
        min_notice_minutes=0, cancellation_window_hours=24, late_cancellation_refund_percent=25
    )
    client = make_user()
    return {
        "user": user,
        "profile": profile,
        "service": service,
        "client": client,
        "client_api": client_for(client),
        "practitioner_api": client_for(user),
    }


def _book(practice, start=None, **headers):
    start = start or free_start(practice["profile"], practice["service"])
    body = {"service": str(practice["service"].pk), "start": iso(start)}
    return practice["client_api"].post(URL, body, **headers)


def _paid_booking(fake, practice, *, start=None, confirmed=True) -> Booking:
    """A booking held and paid through the port, as a client would make it."""
    booking = Booking.objects.get(pk=_book(practice, start).json()["id"])
    if confirmed:
        assert fake.pay(booking).action == PaymentSettled.CONFIRMED
        booking.refresh_from_db()
    return booking


def test_the_double_implements_the_port(fake_payments):
    assert isinstance(fake_payments, payment_port.PaymentPort)
    assert payment_port.get() is fake_payments


# --- holds and starting the payment ---------------------------------------------------


def test_paid_booking_holds_the_slot_and_starts_its_payment(fake_payments, practice):
    response = _book(practice)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending_payment" and body["hold_expires_at"]
    assert body["payment"]["provider"] == "fake"
    assert fake_payments.operations() == [
        "ensure_payable",
        "ensure_provider_available",
        "start_payment",
    ]
    # The practitioner sees the booking, not the client's payment block.
    seen = practice["practitioner_api"].get(f"{URL}{body['id']}/").json()
    assert seen["payment"] is None


def test_free_booking_never_asks_the_port(fake_payments, practice):
    _, profile, service = make_practitioner(name="Free", price_amount=0, min_notice_minutes=0)
    response = practice["client_api"].post(
        URL, {"service": str(service.pk), "start": iso(free_start(profile, service))}
    )
    assert response.status_code == 201 and response.json()["status"] == "confirmed"
    assert response.json()["payment"] is None
    assert fake_payments.calls == []


def test_unpayable_practitioner_is_409_before_any_hold(fake_payments, practice):
    fake_payments.unpayable.add(practice["profile"].pk)
    response = _book(practice)
    assert response.status_code == 409
    assert response.json()["code"] == "practitioner_cannot_accept_payments"
    assert not Booking.objects.exists()
    assert fake_payments.operations() == ["ensure_payable"]


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (PaymentProviderUnavailable(), 503, "payment_provider_unavailable"),
        (PaymentNotPossible(), 409, "payment_not_possible"),
    ],
)
def test_payment_that_cannot_start_releases_the_hold(fake_payments, practice, error, status, code):
    fake_payments.start_error = error
    start = free_start(practice["profile"], practice["service"])
    response = _book(practice, start, HTTP_IDEMPOTENCY_KEY="k-1")
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert Booking.objects.get().status == BookingStatus.EXPIRED
    # The slot is free again, and a retry with the same key books afresh.
    fake_payments.start_error = None
    retry = _book(practice, start, HTTP_IDEMPOTENCY_KEY="k-1")
    assert retry.status_code == 201 and retry.json()["status"] == "pending_payment"
    assert Booking.objects.filter(status=BookingStatus.PENDING_PAYMENT).count() == 1


def test_replay_gets_the_same_booking_and_payment(fake_payments, practice):
    start = free_start(practice["profile"], practice["service"])
    first = _book(practice, start, HTTP_IDEMPOTENCY_KEY="same")
    again = _book(practice, start, HTTP_IDEMPOTENCY_KEY="same")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["payment"] == again.json()["payment"]
    assert len(fake_payments.payments) == 1


def test_service_layer_create_returns_created_flag(fake_payments, practice):
    start = free_start(practice["profile"], practice["service"])
    booking, created = booking_create_idempotent(
        client=practice["client"], service=practice["service"], start=start
    )
    assert created and booking.status == BookingStatus.PENDING_PAYMENT
    assert booking.pk in fake_payments.payments


# --- cancellation and the refund policy -------------------------------------------------


def test_client_cancelling_in_time_is_refunded_in_full(fake_payments, practice):
    booking = _paid_booking(
        fake_payments, practice, start=free_start(practice["profile"], practice["service"], 5)
    )
    fake_payments.calls.clear()
    response = practice["client_api"].post(f"{URL}{booking.pk}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["refund"] == {
        "amount": {"amount": 9000, "currency": "EUR", "display": "€90.00"},
        "status": "succeeded",
    }
    assert fake_payments.refunds_of(booking) == [(9000, "cancellation", "sent")]
    # Reserved inside the cancellation, sent after it, the payment then closed.
    assert fake_payments.operations() == ["reserve_refund", "send_refund", "cancel_payment"]


def test_client_cancelling_late_gets_the_late_share(fake_payments, practice):
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=3)
    booking = make_booking(
        client=practice["client"],
        service=practice["service"],
        start=start,
        status=BookingStatus.PENDING_PAYMENT,
        hold=timezone.now() + timedelta(minutes=10),
    )
    fake_payments.start_payment(booking=booking)
    fake_payments.pay(booking)
    response = practice["client_api"].post(f"{URL}{booking.pk}/cancel/")
    assert response.json()["refund"] == {
        "amount": {"amount": 2250, "currency": "EUR", "display": "€22.50"},
        "status": "succeeded",
    }
    assert fake_payments.refunds_of(booking) == [(2250, "cancellation", "sent")]


def test_practitioner_cancelling_late_refunds_in_full(fake_payments, practice):
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=3)
    booking = make_booking(client=practice["client"], service=practice["service"], start=start)
    # Paid before the test's clock: the ledger already holds the succeeded payment.
    fake_payments.payments[booking.pk] = FakePayment(amount=booking.amount, status="succeeded")
    response = practice["practitioner_api"].post(f"{URL}{booking.pk}/cancel/")
    assert response.json()["refund"] == {
        "amount": {"amount": 9000, "currency": "EUR", "display": "€90.00"},
        "status": "succeeded",
    }
    assert fake_payments.refunds_of(booking) == [(9000, "cancellation", "sent")]


def test_cancelling_an_unpaid_hold_cancels_its_payment_and_refunds_nothing(fake_payments, practice):
    booking = _paid_booking(fake_payments, practice, confirmed=False)
    response = practice["client_api"].post(f"{URL}{booking.pk}/cancel/")
    assert (response.json()["status"], response.json()["refund"]) == ("cancelled", None)
    assert fake_payments.payments[booking.pk].status == "canceled"
    assert fake_payments.refunds_of(booking) == []
    assert "reserve_refund" not in fake_payments.operations()


def test_refund_the_provider_cannot_take_now_is_retried_by_expire_holds(
    fake_payments, practice, capsys
):
    booking = _paid_booking(fake_payments, practice)
    fake_payments.refund_result = RefundSent.PENDING
    response = practice["client_api"].post(f"{URL}{booking.pk}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert fake_payments.refunds_of(booking) == [(9000, "cancellation", "pending")]

    fake_payments.refund_result = RefundSent.SENT
    call_command("expire_holds")

    assert fake_payments.refunds_of(booking) == [(9000, "cancellation", "sent")]
    assert "retried 1 pending refund(s)" in capsys.readouterr().out


def test_cancellation_and_refund_reservation_commit_together(fake_payments, practice):
    booking = _paid_booking(fake_payments, practice)
    fake_payments.reserve_error = OperationalError("canceling statement due to lock timeout")
    response = practice["client_api"].post(f"{URL}{booking.pk}/cancel/")
    assert response.status_code == 503 and response.json()["code"] == "lock_timeout"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.refund_amount is None


# --- reschedule ------------------------------------------------------------------------


def test_reschedule_keeps_the_payment_and_moves_no_money(fake_payments, practice):
    profile, service = practice["profile"], practice["service"]
    booking = _paid_booking(fake_payments, practice, start=free_start(profile, service, 5))
    fake_payments.calls.clear()
    target = free_start(profile, service, days_ahead=6, index=2)
    response = practice["client_api"].post(f"{URL}{booking.pk}/reschedule/", {"start": iso(target)})
    assert response.status_code == 200, response.json()
    assert response.json()["start"] == iso(target)
    assert fake_payments.calls == []
    assert fake_payments.payments[booking.pk].status == "succeeded"


# --- the payment arrives -----------------------------------------------------------------


def test_payment_in_time_confirms_and_a_repeat_changes_nothing(fake_payments, practice):
    booking = _paid_booking(fake_payments, practice, confirmed=False)
    assert fake_payments.pay(booking).action == PaymentSettled.CONFIRMED
    assert fake_payments.pay(booking).action == PaymentSettled.ALREADY_CONFIRMED
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert fake_payments.refunds_of(booking) == []


@pytest.mark.parametrize("expired_by_cron", [False, True])
def test_late_payment_with_the_slot_still_free_confirms(fake_payments, practice, expired_by_cron):
    booking = _paid_booking(fake_payments, practice, confirmed=False)
    Booking.objects.filter(pk=booking.pk).update(
        hold_expires_at=timezone.now() - timedelta(seconds=1)
    )
    if expired_by_cron:
        call_command("expire_holds")
        booking.refresh_from_db()
        assert booking.status == BookingStatus.EXPIRED
        # The tidy-up cancelled the unpaid payment; the provider still reports it paid.
        fake_payments.payments[booking.pk].status = "pending"

    outcome = fake_payments.pay(booking)

    assert outcome.action == PaymentSettled.CONFIRMED_AFTER_LAPSE
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert fake_payments.refunds_of(booking) == []


def test_late_payment_with_the_slot_taken_is_refunded_in_full(fake_payments, practice):
    start = free_start(practice["profile"], practice["service"])
    booking = _paid_booking(fake_payments, practice, start=start, confirmed=False)
    Booking.objects.filter(pk=booking.pk).update(
        hold_expires_at=timezone.now() - timedelta(seconds=1)
    )
    other = client_for(make_user()).post(
        URL, {"service": str(practice["service"].pk), "start": iso(start)}
    )
    assert other.status_code == 201  # the lapsed hold no longer counts

    outcome = fake_payments.pay(booking)

    assert (outcome.action, outcome.refund_reason) == (PaymentSettled.REFUNDED, "slot_taken")
    assert outcome.booking_status == BookingStatus.EXPIRED
    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED
    assert fake_payments.refunds_of(booking) == [(9000, "slot_taken", "sent")]
    assert Booking.objects.get(pk=other.json()["id"]).status == BookingStatus.PENDING_PAYMENT


def test_payment_after_cancellation_is_refunded_in_full(fake_payments, practice):
    booking = _paid_booking(fake_payments, practice, confirmed=False)
    practice["client_api"].post(f"{URL}{booking.pk}/cancel/")
    fake_payments.payments[booking.pk].status = "pending"  # it succeeded before the cancel

    outcome = fake_payments.pay(booking)

    assert (outcome.action, outcome.refund_reason) == (PaymentSettled.REFUNDED, "cancellation")
    assert fake_payments.refunds_of(booking) == [(9000, "cancellation", "sent")]
    # Told again: nothing left to give back.
    again = fake_payments.pay(booking)
    assert again.action == PaymentSettled.NOTHING_TO_REFUND


def test_late_refund_with_the_provider_down_rolls_back_for_a_retry(fake_payments, practice):
    booking = _paid_booking(fake_payments, practice, confirmed=False)
    practice["client_api"].post(f"{URL}{booking.pk}/cancel/")
    fake_payments.payments[booking.pk].status = "pending"
    fake_payments.refund_result = RefundSent.PENDING

    with pytest.raises(PaymentProviderUnavailable):
        fake_payments.pay(booking)

    assert fake_payments.refunds_of(booking) == []
    fake_payments.refund_result = RefundSent.REFUSED
    refused = fake_payments.pay(booking)
    assert refused.action == PaymentSettled.REFUND_REFUSED
    assert fake_payments.refunds_of(booking) == [(9000, "cancellation", "refused")]


# --- holds that run out -------------------------------------------------------------------


def test_expire_holds_expires_lapsed_holds_and_tidies_up_their_payments(
    fake_payments, practice, capsys
):
    lapsed = _paid_booking(fake_payments, practice, confirmed=False)
    running = _paid_booking(
        fake_payments,
        practice,
        start=free_start(practice["profile"], practice["service"], index=3),
        confirmed=False,
    )
    Booking.objects.filter(pk=lapsed.pk).update(
        hold_expires_at=timezone.now() - timedelta(seconds=1)
    )

    call_command("expire_holds")

    out = capsys.readouterr().out
    assert "expired 1 booking hold(s)" in out and "cancelled 1 PaymentIntent(s)" in out
    lapsed.refresh_from_db()
    running.refresh_from_db()
    assert (lapsed.status, running.status) == ("expired", "pending_payment")
    assert fake_payments.payments[lapsed.pk].status == "canceled"
    assert fake_payments.payments[running.pk].status == "pending"
