from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from bookings.services import booking_confirm, booking_expire
from tests.bookings.conftest import free_start, iso, slots_on
from tests.factories import client_for, make_booking, make_practitioner, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/bookings/"


def _book(api, service, start, **headers):
    return api.post(URL, {"service": str(service.pk), "start": iso(start)}, **headers)


def test_paid_booking_starts_pending_with_a_hold(client_api, practitioner, settings):
    settings.BOOKING_HOLD_MINUTES = 15
    _, profile, service = practitioner
    start = free_start(profile, service)
    response = _book(client_api, service, start)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= {
        "id",
        "status",
        "service",
        "practitioner",
        "start",
        "end",
        "price",
        "hold_expires_at",
        "payment",
    }
    assert body["status"] == "pending_payment"
    # The payments issue fills `payment` (see tests/payments for the whole flow).
    assert body["payment"]["provider"] == "stripe"
    assert body["payment"]["payment_intent_id"].startswith("pi_")
    assert body["price"] == {"amount": 9000, "currency": "EUR", "display": "€90.00"}
    assert body["start"] == iso(start)
    assert body["end"] == iso(start + timedelta(minutes=60))
    hold = Booking.objects.get(pk=body["id"]).hold_expires_at
    assert timedelta(minutes=14) < hold - timezone.now() <= timedelta(minutes=15)
    # The held slot is gone for everyone else.
    again = _book(client_for(make_user()), service, start)
    assert again.status_code == 409 and again.json()["code"] == "slot_unavailable"


def test_price_and_duration_are_copied_onto_the_booking(client_api, practitioner):
    _, profile, service = practitioner
    body = _book(client_api, service, free_start(profile, service)).json()
    service.price_amount, service.duration_minutes = 12000, 90
    service.save()
    booking = Booking.objects.get(pk=body["id"])
    assert (booking.amount, booking.duration_minutes) == (9000, 60)


def test_free_booking_is_confirmed_and_mails_both_parties_with_ics(
    client_api, client_user, free_practitioner, django_capture_on_commit_callbacks
):
    user, profile, service = free_practitioner
    with django_capture_on_commit_callbacks(execute=True):
        response = _book(client_api, service, free_start(profile, service))
    assert response.status_code == 201
    assert response.json()["status"] == "confirmed"
    assert response.json()["hold_expires_at"] is None
    assert sorted(m.to[0] for m in mail.outbox) == sorted([client_user.email, user.email])
    name, _content, mimetype = mail.outbox[0].attachments[0]
    assert name == "booking.ics" and "method=REQUEST" in mimetype


@pytest.mark.parametrize(
    "start_offset",
    [timedelta(minutes=30), timedelta(minutes=1), timedelta(days=-10)],
)
def test_start_not_on_a_slot_is_409(client_api, practitioner, start_offset):
    _, profile, service = practitioner
    response = _book(client_api, service, free_start(profile, service) + start_offset)
    assert response.status_code == 409
    assert response.json()["code"] == "slot_unavailable"


def test_start_outside_rules_or_beyond_max_advance_is_409(client_api):
    _, profile, service = make_practitioner(min_notice_minutes=0, max_advance_days=2)
    start = slots_on(profile, service, 1)[0].start
    assert _book(client_api, service, start - timedelta(hours=2)).status_code == 409
    assert _book(client_api, service, start + timedelta(days=5)).status_code == 409


def test_min_notice_is_enforced(client_api):
    _, _profile, service = make_practitioner(min_notice_minutes=3 * 24 * 60)
    _, ref_profile, ref_service = make_practitioner(name="Ref", min_notice_minutes=0)
    soon = slots_on(ref_profile, ref_service, 1)[0].start
    assert _book(client_api, service, soon).status_code == 409


def test_bad_input_is_400(client_api, practitioner):
    _, _profile, service = practitioner
    assert client_api.post(URL, {"service": str(service.pk), "start": "soon"}).status_code == 400
    assert client_api.post(URL, {"start": "2030-01-01T10:00:00Z"}).status_code == 400
    unknown = client_api.post(
        URL, {"service": "00000000-0000-0000-0000-000000000000", "start": "2030-01-01T10:00:00Z"}
    )
    assert unknown.status_code == 400 and "service" in unknown.json()["fields"]


def test_inactive_service_or_own_service_cannot_be_booked(client_api, practitioner):
    user, profile, service = practitioner
    start = free_start(profile, service)
    assert _book(client_for(user), service, start).status_code == 403
    service.is_active = False
    service.save()
    assert _book(client_api, service, start).status_code == 409


def test_anonymous_cannot_book(api_client, practitioner):
    _, profile, service = practitioner
    assert _book(api_client, service, free_start(profile, service)).status_code == 401


def test_lapsed_hold_is_expired_lazily_and_slot_rebooked(client_api, practitioner):
    _, profile, service = practitioner
    start = free_start(profile, service)
    old = make_booking(
        client=make_user(),
        service=service,
        start=start,
        status=BookingStatus.PENDING_PAYMENT,
        hold=timezone.now() - timedelta(minutes=1),
    )
    response = _book(client_api, service, start)
    assert response.status_code == 201
    old.refresh_from_db()
    assert old.status == BookingStatus.EXPIRED


# --- idempotency -----------------------------------------------------------------


def test_idempotency_key_replays_and_rejects_a_different_body(client_api, practitioner):
    _, profile, service = practitioner
    start, other = free_start(profile, service), free_start(profile, service, index=2)
    first = _book(client_api, service, start, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201
    replay = _book(client_api, service, start, HTTP_IDEMPOTENCY_KEY="k-1")
    assert replay.status_code == 200
    assert replay.json()["id"] == first.json()["id"]
    reused = _book(client_api, service, other, HTTP_IDEMPOTENCY_KEY="k-1")
    assert reused.status_code == 409 and reused.json()["code"] == "idempotency_key_reused"
    assert Booking.objects.count() == 1


def test_idempotency_keys_are_per_user_and_expire_after_24h(client_api, practitioner):
    from bookings.models import IdempotencyKey

    _, profile, service = practitioner
    start, other = free_start(profile, service), free_start(profile, service, index=2)
    assert _book(client_api, service, start, HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    # Another user with the same key makes its own booking.
    stranger = client_for(make_user())
    assert _book(stranger, service, other, HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    # After 24 hours the key is free again: a new body makes a new booking.
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    third = free_start(profile, service, index=4)
    assert _book(client_api, service, third, HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    assert Booking.objects.count() == 3


def test_without_key_a_second_post_is_a_conflict_not_a_duplicate(client_api, practitioner):
    _, profile, service = practitioner
    start = free_start(profile, service)
    assert _book(client_api, service, start).status_code == 201
    assert _book(client_api, service, start).status_code == 409


# --- lists and detail --------------------------------------------------------------


def test_lists_for_client_and_practitioner_with_filters(client_api, client_user, practitioner):
    user, profile, service = practitioner
    past = make_booking(
        client=client_user,
        service=service,
        start=timezone.now() - timedelta(days=3),
        status=BookingStatus.COMPLETED,
    )
    upcoming = _book(client_api, service, free_start(profile, service)).json()
    other_client = make_user()
    make_booking(client=other_client, service=service, start=free_start(profile, service, index=3))

    mine = client_api.get(URL).json()
    assert mine["count"] == 2
    assert [b["id"] for b in client_api.get(URL, {"upcoming": "true"}).json()["results"]] == [
        upcoming["id"]
    ]
    assert [b["id"] for b in client_api.get(URL, {"upcoming": "false"}).json()["results"]] == [
        str(past.pk)
    ]
    assert client_api.get(URL, {"status": "completed"}).json()["count"] == 1
    assert client_for(user).get(URL).json()["count"] == 3
    assert client_for(user).get(URL, {"status": "confirmed"}).json()["count"] == 1
    assert client_api.get(URL, {"status": "bogus"}).status_code == 400
    assert client_api.get(URL, {"upcoming": "maybe"}).status_code == 400


def test_detail_is_404_for_non_parties(client_api, practitioner):
    user, profile, service = practitioner
    booking = _book(client_api, service, free_start(profile, service)).json()
    assert client_api.get(f"{URL}{booking['id']}/").status_code == 200
    assert client_for(user).get(f"{URL}{booking['id']}/").status_code == 200
    stranger = client_for(make_user())
    assert stranger.get(f"{URL}{booking['id']}/").status_code == 404
    assert stranger.post(f"{URL}{booking['id']}/cancel/").status_code == 404


# --- holds -----------------------------------------------------------------------


def test_expire_holds_command(client_api, practitioner, capsys):
    _, profile, service = practitioner
    lapsed = make_booking(
        client=make_user(),
        service=service,
        start=free_start(profile, service),
        status=BookingStatus.PENDING_PAYMENT,
        hold=timezone.now() - timedelta(seconds=5),
    )
    running = make_booking(
        client=make_user(),
        service=service,
        start=free_start(profile, service, index=2),
        status=BookingStatus.PENDING_PAYMENT,
        hold=timezone.now() + timedelta(minutes=5),
    )
    call_command("expire_holds")
    assert "expired 1 booking hold(s)" in capsys.readouterr().out
    lapsed.refresh_from_db()
    running.refresh_from_db()
    assert (lapsed.status, running.status) == ("expired", "pending_payment")


def test_confirm_and_expire_services_for_payments(practitioner, client_user):
    _, profile, service = practitioner
    hold = timezone.now() + timedelta(minutes=5)
    booking = make_booking(
        client=client_user,
        service=service,
        start=free_start(profile, service),
        status=BookingStatus.PENDING_PAYMENT,
        hold=hold,
    )
    assert booking_confirm(booking=booking).status == "confirmed"
    assert booking_confirm(booking=booking).status == "confirmed"  # webhooks repeat
    pending = make_booking(
        client=client_user,
        service=service,
        start=free_start(profile, service, index=3),
        status=BookingStatus.PENDING_PAYMENT,
        hold=hold,
    )
    assert booking_expire(booking=pending).status == "expired"


def test_confirm_after_lapsed_hold_only_if_slot_still_free(practitioner, client_user):
    from bookings.errors import SlotUnavailable

    _, profile, service = practitioner
    start = free_start(profile, service)
    lapsed = make_booking(
        client=client_user,
        service=service,
        start=start,
        status=BookingStatus.EXPIRED,
        hold=timezone.now() - timedelta(minutes=1),
    )
    assert booking_confirm(booking=lapsed).status == "confirmed"
    start2 = free_start(profile, service, index=3)
    lapsed2 = make_booking(
        client=client_user,
        service=service,
        start=start2,
        status=BookingStatus.EXPIRED,
        hold=timezone.now() - timedelta(minutes=1),
    )
    make_booking(client=make_user(), service=service, start=start2)  # took the slot meanwhile
    with pytest.raises(SlotUnavailable):
        booking_confirm(booking=lapsed2)
    lapsed2.refresh_from_db()
    assert lapsed2.status == "expired"


def test_overlong_idempotency_key_is_400(client_api, practitioner):
    _, profile, service = practitioner
    response = _book(
        client_api, service, free_start(profile, service), HTTP_IDEMPOTENCY_KEY="k" * 256
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["fields"]


def test_booking_posts_are_throttled_by_the_booking_scope(client_api, practitioner, settings):
    settings.THROTTLE_RATES = "booking=2/min"
    _, profile, service = practitioner
    codes = [
        _book(client_api, service, free_start(profile, service, index=i)).status_code
        for i in range(3)
    ]
    assert codes == [201, 201, 429]
    assert client_api.get(URL).status_code == 200  # listing is not in the booking scope
