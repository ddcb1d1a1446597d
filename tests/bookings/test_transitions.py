from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from bookings.models import BookingStatus
from tests.bookings.conftest import free_start, iso
from tests.bookings.fake_payment_port import FakePayment
from tests.factories import client_for, make_booking, make_practitioner, make_user

pytestmark = pytest.mark.django_db


def _url(booking, action):
    return f"/api/v1/bookings/{booking.pk}/{action}/"


@pytest.fixture
def policy_practitioner(db):
    # 24 h window, late cancellations refund 25 %.
    return make_practitioner(
        min_notice_minutes=0, cancellation_window_hours=24, late_cancellation_refund_percent=25
    )


def _confirmed(client_user, service, start):
    return make_booking(client=client_user, service=service, start=start)


# --- cancel and the refund policy -------------------------------------------------


def _paid(fake_payments, booking):
    """The booking's payment succeeded before the test (the in-memory payment port)."""
    fake_payments.payments[booking.pk] = FakePayment(amount=booking.amount, status="succeeded")
    return booking


def _refunded(amount: int) -> dict:
    return {
        "amount": {"amount": amount, "currency": "EUR", "display": f"€{amount / 100:.2f}"},
        "status": "succeeded",
    }


def test_client_cancels_in_time_gets_full_refund(
    client_api, client_user, policy_practitioner, fake_payments
):
    _, profile, service = policy_practitioner
    booking = _paid(
        fake_payments, _confirmed(client_user, service, free_start(profile, service, days_ahead=5))
    )
    response = client_api.post(_url(booking, "cancel"))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "cancelled"
    assert response.json()["refund"] == _refunded(9000)
    assert response.json()["cancelled_by"] == "client"
    booking.refresh_from_db()
    assert booking.cancelled_by == client_user and booking.cancelled_at is not None


def test_client_cancels_late_gets_the_late_percentage(
    client_api, client_user, policy_practitioner, fake_payments
):
    _, _profile, service = policy_practitioner
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=3)
    booking = _paid(fake_payments, _confirmed(client_user, service, start))
    response = client_api.post(_url(booking, "cancel"))
    assert response.json()["refund"] == _refunded(2250)


def test_practitioner_cancelling_late_still_refunds_in_full(
    client_user, policy_practitioner, fake_payments
):
    user, _profile, service = policy_practitioner
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=3)
    booking = _paid(fake_payments, _confirmed(client_user, service, start))
    response = client_for(user).post(_url(booking, "cancel"))
    assert response.json()["refund"] == _refunded(9000)
    assert response.json()["cancelled_by"] == "practitioner"


def test_cancelling_a_pending_booking_refunds_nothing(
    client_api, client_user, policy_practitioner, fake_payments
):
    _, profile, service = policy_practitioner
    booking = make_booking(
        client=client_user,
        service=service,
        start=free_start(profile, service),
        status=BookingStatus.PENDING_PAYMENT,
        hold=timezone.now() + timedelta(minutes=10),
    )
    fake_payments.start_payment(booking=booking)
    response = client_api.post(_url(booking, "cancel"))
    assert (response.json()["status"], response.json()["refund"]) == ("cancelled", None)
    assert fake_payments.payments[booking.pk].status == "canceled"


@pytest.mark.parametrize("status", ["cancelled", "completed", "no_show", "expired"])
def test_cancel_in_a_final_state_is_409(client_api, client_user, policy_practitioner, status):
    _, profile, service = policy_practitioner
    booking = make_booking(
        client=client_user, service=service, start=free_start(profile, service), status=status
    )
    response = client_api.post(_url(booking, "cancel"))
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_cancel_mails_a_cancel_ics(
    client_api, client_user, policy_practitioner, django_capture_on_commit_callbacks
):
    _, profile, service = policy_practitioner
    booking = _confirmed(client_user, service, free_start(profile, service))
    with django_capture_on_commit_callbacks(execute=True):
        client_api.post(_url(booking, "cancel"))
    assert len(mail.outbox) == 2
    _, content, mimetype = mail.outbox[0].attachments[0]
    assert "method=CANCEL" in mimetype
    cal = Calendar.from_ical(content)
    assert cal["method"] == "CANCEL"
    event = cal.walk("VEVENT")[0]
    assert str(event["uid"]) == f"booking-{booking.pk}@stillpoint"
    assert event["status"] == "CANCELLED"
    assert event.decoded("dtstart") == booking.start
    # In the practitioner's zone (Berlin), which the calendar carries as a VTIMEZONE.
    assert event["dtstart"].params["TZID"] == "Europe/Berlin"
    assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert event["sequence"] == 1


# --- complete and no-show ---------------------------------------------------------


def test_practitioner_completes_after_the_end(client_api, client_user, policy_practitioner):
    user, _profile, service = policy_practitioner
    past = _confirmed(client_user, service, timezone.now() - timedelta(hours=2))
    assert client_api.post(_url(past, "complete")).status_code == 403
    response = client_for(user).post(_url(past, "complete"))
    assert response.status_code == 200 and response.json()["status"] == "completed"
    assert response.json()["completed_at"] is not None
    again = client_for(user).post(_url(past, "complete"))
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_complete_before_the_end_is_409(client_user, policy_practitioner):
    user, _profile, service = policy_practitioner
    running = _confirmed(client_user, service, timezone.now() - timedelta(minutes=30))
    assert client_for(user).post(_url(running, "complete")).status_code == 409


def test_no_show_after_the_start_only(client_api, client_user, policy_practitioner):
    user, profile, service = policy_practitioner
    future = _confirmed(client_user, service, free_start(profile, service))
    assert client_for(user).post(_url(future, "no-show")).status_code == 409
    started = _confirmed(client_user, service, timezone.now() - timedelta(minutes=10))
    assert client_api.post(_url(started, "no-show")).status_code == 403
    response = client_for(user).post(_url(started, "no-show"))
    assert response.status_code == 200 and response.json()["status"] == "no_show"


def test_pending_booking_cannot_be_completed(client_user, policy_practitioner):
    user, _profile, service = policy_practitioner
    pending = make_booking(
        client=client_user,
        service=service,
        start=timezone.now() - timedelta(hours=3),
        status=BookingStatus.PENDING_PAYMENT,
        hold=timezone.now() + timedelta(minutes=1),
    )
    assert client_for(user).post(_url(pending, "complete")).status_code == 409


# --- reschedule -------------------------------------------------------------------


def test_client_reschedules_to_a_free_slot(
    client_api, client_user, policy_practitioner, django_capture_on_commit_callbacks
):
    _, profile, service = policy_practitioner
    booking = _confirmed(client_user, service, free_start(profile, service, days_ahead=5))
    target = free_start(profile, service, days_ahead=6, index=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_api.post(_url(booking, "reschedule"), {"start": iso(target)})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["start"], body["status"], body["price"]["amount"]) == (
        iso(target),
        "confirmed",
        9000,
    )
    booking.refresh_from_db()
    assert booking.blocked_start == target and booking.ics_sequence == 1
    cal = Calendar.from_ical(mail.outbox[0].attachments[0][1])
    assert cal["method"] == "REQUEST"
    assert str(cal.walk("VEVENT")[0]["uid"]) == f"booking-{booking.pk}@stillpoint"


def test_reschedule_by_one_slot_overlapping_itself_is_allowed(
    client_api, client_user, policy_practitioner
):
    """The booking's own old time does not block its new one."""
    from directory.models import Service

    _, profile, service = policy_practitioner
    profile.slot_interval_minutes = 30
    profile.save()
    service = Service.objects.get(pk=service.pk)
    booking = _confirmed(client_user, service, free_start(profile, service, days_ahead=5))
    target = booking.start + timedelta(minutes=30)
    response = client_api.post(_url(booking, "reschedule"), {"start": iso(target)})
    assert response.status_code == 200, response.json()


def test_reschedule_to_a_taken_or_bad_slot_is_409(client_api, client_user, policy_practitioner):
    _, profile, service = policy_practitioner
    booking = _confirmed(client_user, service, free_start(profile, service, days_ahead=5))
    taken = _confirmed(make_user(), service, free_start(profile, service, days_ahead=5, index=3))
    response = client_api.post(_url(booking, "reschedule"), {"start": iso(taken.start)})
    assert response.status_code == 409 and response.json()["code"] == "slot_unavailable"
    off_grid = booking.start + timedelta(minutes=7)
    assert client_api.post(_url(booking, "reschedule"), {"start": iso(off_grid)}).status_code == 409
    assert client_api.post(_url(booking, "reschedule"), {"start": "later"}).status_code == 400


def test_client_cannot_reschedule_inside_the_window_but_practitioner_can(
    client_api, client_user, policy_practitioner
):
    user, profile, service = policy_practitioner
    soon = _confirmed(
        client_user, service, timezone.now().replace(second=0, microsecond=0) + timedelta(hours=5)
    )
    target = free_start(profile, service, days_ahead=3)
    response = client_api.post(_url(soon, "reschedule"), {"start": iso(target)})
    assert response.status_code == 409 and response.json()["code"] == "reschedule_window_closed"
    assert (
        client_for(user).post(_url(soon, "reschedule"), {"start": iso(target)}).status_code == 200
    )


def test_only_confirmed_bookings_reschedule_and_only_parties(
    client_api, client_user, policy_practitioner
):
    _, profile, service = policy_practitioner
    pending = make_booking(
        client=client_user,
        service=service,
        start=free_start(profile, service, days_ahead=5),
        status=BookingStatus.PENDING_PAYMENT,
        hold=timezone.now() + timedelta(minutes=10),
    )
    target = iso(free_start(profile, service, days_ahead=6))
    response = client_api.post(_url(pending, "reschedule"), {"start": target})
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    stranger = client_for(make_user())
    assert stranger.post(_url(pending, "reschedule"), {"start": target}).status_code == 404


def test_service_layer_rejects_a_non_party_with_403(client_user, policy_practitioner):
    from bookings.services import booking_cancel
    from core.errors import PermissionDenied

    _, profile, service = policy_practitioner
    booking = _confirmed(client_user, service, free_start(profile, service))
    with pytest.raises(PermissionDenied):
        booking_cancel(booking=booking, by=make_user())


def test_acting_as_staff_needs_an_active_staff_account(client_user, policy_practitioner):
    from bookings.services import booking_cancel, booking_complete, booking_mark_no_show
    from core.errors import PermissionDenied

    practitioner_user, profile, service = policy_practitioner
    booking = _confirmed(client_user, service, free_start(profile, service))
    retired = make_user(is_staff=True, is_active=False)
    for not_staff in (client_user, practitioner_user, retired):
        for transition in (booking_cancel, booking_complete, booking_mark_no_show):
            with pytest.raises(PermissionDenied):
                transition(booking=booking, by=not_staff, as_staff=True)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
