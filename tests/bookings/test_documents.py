"""A booking reads like a document: who, what, where, when and for how much, as each party
may see it; snapshots that outlive edits and deletions; the status, hold and payment as
they are right now; who cancelled and why; the refund as the payment provider has it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from bookings.services import booking_cancel
from tests.bookings.conftest import free_start, iso
from tests.factories import client_for, make_moderator, make_practitioner, make_user
from tests.payments.helpers import WEBHOOK_SECRET, intent_succeeded_event, pay, post_event

pytestmark = pytest.mark.django_db

URL = "/api/v1/bookings/"


@pytest.fixture
def practice(db):
    """A paid 60-minute session (€90.00) in Berlin at Torstraße 1, and a client with a phone."""
    user, profile, service = make_practitioner(min_notice_minutes=0)
    location = service.location
    location.address_line, location.postal_code, location.country = "Torstraße 1", "10119", "DE"
    location.save()
    client_user = make_user(name="Anna K", phone="+49301234567")
    return {
        "user": user,
        "profile": profile,
        "service": service,
        "client": client_user,
        "client_api": client_for(client_user),
        "practitioner_api": client_for(user),
    }


def _book(api, service, start):
    response = api.post(URL, {"service": str(service.pk), "start": iso(start)})
    assert response.status_code == 201, response.json()
    return response.json()


def _confirm_through_stripe(api_client, stripe_api, body, settings):
    """The client pays with Stripe.js; Stripe's signed event confirms the booking."""
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    intent = pay(stripe_api, body["payment"]["payment_intent_id"])
    outcome = post_event(api_client, intent_succeeded_event(intent, booking_id=body["id"]))
    assert outcome.json()["outcome"] == "confirmed booking"


def test_the_practitioner_and_the_client_read_the_same_booking_with_their_own_details(practice):
    profile, service, client_user = practice["profile"], practice["service"], practice["client"]
    start = free_start(profile, service)

    as_client = _book(practice["client_api"], service, start)
    as_practitioner = practice["practitioner_api"].get(f"{URL}{as_client['id']}/").json()

    location = service.location
    common = {
        "id": as_client["id"],
        "status": "pending_payment",
        "start": iso(start),
        "end": iso(start + timedelta(minutes=60)),
        "timezone": "Europe/Berlin",
        "practitioner": {
            "id": str(profile.pk),
            "slug": profile.slug,
            "display_name": "Mira Lind",
            "photo": None,
        },
        "service": {
            "id": str(service.pk),
            "name": "Craniosacral session",
            "duration_minutes": 60,
            "mode": "in_person",
        },
        "location": {
            "id": str(location.pk),
            "name": "Practice",
            "address": "Torstraße 1, 10119 Berlin, DE",
            "latitude": 52.52,
            "longitude": 13.405,
        },
        "price": {"amount": 9000, "currency": "EUR", "display": "€90.00"},
        "refund": None,
        "cancelled_at": None,
        "cancelled_by": None,
        "cancellation_reason": None,
        "completed_at": None,
    }
    for body in (as_client, as_practitioner):
        assert {key: body[key] for key in common} == common
        assert body["hold_expires_at"] is not None and body["created_at"].endswith("Z")
    # The client pays with what the booking gives them; nobody else sees it.
    assert as_client["payment"]["client_secret"].startswith(
        as_client["payment"]["payment_intent_id"]
    )
    assert as_practitioner["payment"] is None
    # The practitioner may contact the client; the client's own view names them only.
    assert as_practitioner["client"] == {
        "id": str(client_user.pk),
        "name": "Anna K",
        "email": client_user.email,
        "phone": "+49301234567",
    }
    assert as_client["client"] == {
        "id": str(client_user.pk),
        "name": "Anna K",
        "email": None,
        "phone": None,
    }
    listed = practice["practitioner_api"].get(URL).json()["results"]
    assert listed == [as_practitioner]


def test_the_practitioners_photo_is_in_the_booking(practice):
    from tests.directory.images import jpeg_with_gps, upload

    photo = practice["practitioner_api"].put(
        "/api/v1/me/profile/photo/", {"image": upload(jpeg_with_gps())}, format="multipart"
    )
    assert photo.status_code == 200, photo.json()
    body = _book(
        practice["client_api"],
        practice["service"],
        free_start(practice["profile"], practice["service"]),
    )
    assert body["practitioner"]["photo"] == photo.json()
    listed = practice["client_api"].get(URL).json()["results"]
    assert listed[0]["practitioner"]["photo"]["variants"]["small"]["url"].startswith("http")


def test_the_booking_keeps_what_was_booked_after_edits_and_deletions(practice):
    profile, service = practice["profile"], practice["service"]
    owner = practice["practitioner_api"]
    body = _book(practice["client_api"], service, free_start(profile, service))
    booked = {key: body[key] for key in ("service", "location", "price")}

    service_url = f"/api/v1/me/services/{service.pk}/"
    location_url = f"/api/v1/me/locations/{service.location_id}/"
    renamed = owner.patch(
        service_url,
        {"name": "Renamed session", "price": {"amount": 12000, "currency": "EUR"}},
        format="json",
    )
    assert renamed.status_code == 200, renamed.json()
    moved = owner.patch(location_url, {"address_line": "Torstraße 99", "name": "New room"})
    assert moved.status_code == 200, moved.json()
    assert owner.delete(service_url).status_code == 204
    assert owner.delete(location_url).status_code == 204
    # The service is gone from the directory ...
    public = practice["client_api"].get(f"/api/v1/practitioners/{profile.slug}/").json()
    assert public["services"] == [] and public["locations"] == []

    # ... and both parties still read what was booked, ids included.
    for api in (practice["client_api"], owner):
        now = api.get(f"{URL}{body['id']}/").json()
        assert {key: now[key] for key in booked} == booked
    assert booked["service"]["name"] == "Craniosacral session"
    assert booked["location"]["address"] == "Torstraße 1, 10119 Berlin, DE"


def test_a_moved_booking_takes_the_service_as_it_is_offered_now(practice, fake_payments):
    profile, service = practice["profile"], practice["service"]
    owner = practice["practitioner_api"]
    start = free_start(profile, service, days_ahead=5)
    booking = _book(practice["client_api"], service, start)
    fake_payments.pay(Booking.objects.get(pk=booking["id"]))
    other = owner.post(
        "/api/v1/me/locations/",
        {
            "name": "Garden room",
            "address_line": "Kastanienallee 7",
            "postal_code": "10435",
            "city": "Berlin",
            "country": "DE",
            "latitude": 52.538,
            "longitude": 13.41,
        },
        format="json",
    ).json()
    assert (
        owner.patch(
            f"/api/v1/me/services/{service.pk}/",
            {"location": other["id"], "name": "Session in the garden"},
            format="json",
        ).status_code
        == 200
    )

    moved = practice["client_api"].post(
        f"{URL}{booking['id']}/reschedule/",
        {"start": iso(free_start(profile, service, days_ahead=6))},
    )

    assert moved.status_code == 200, moved.json()
    assert moved.json()["location"] == {
        "id": other["id"],
        "name": "Garden room",
        "address": "Kastanienallee 7, 10435 Berlin, DE",
        "latitude": 52.538,
        "longitude": 13.41,
    }
    assert moved.json()["service"]["name"] == "Session in the garden"
    assert moved.json()["price"]["amount"] == 9000  # paid as booked


def test_an_online_booking_has_no_location(practice):
    profile = practice["profile"]
    online = practice["practitioner_api"].post(
        "/api/v1/me/services/",
        {
            "name": "Video call",
            "duration_minutes": 30,
            "mode": "online",
            "price": {"amount": 0, "currency": "EUR"},
        },
        format="json",
    )
    assert online.status_code == 201, online.json()
    service = profile.services.get(pk=online.json()["id"])
    body = _book(practice["client_api"], service, free_start(profile, service))
    assert body["location"] is None
    assert body["service"]["mode"] == "online"
    assert body["status"] == "confirmed" and body["payment"] is None


def test_a_lapsed_hold_reads_expired_at_once(practice, time_machine):
    profile, service = practice["profile"], practice["service"]
    body = _book(practice["client_api"], service, free_start(profile, service))
    assert body["status"] == "pending_payment" and body["payment"] is not None

    time_machine.move_to(timezone.now() + timedelta(minutes=16))
    client_api, owner = client_for(practice["client"]), client_for(practice["user"])

    for api in (client_api, owner):
        now = api.get(f"{URL}{body['id']}/").json()
        assert (now["status"], now["hold_expires_at"], now["payment"]) == ("expired", None, None)
        expired = api.get(URL, {"status": "expired"}).json()["results"]
        assert [b["id"] for b in expired] == [body["id"]]
        assert api.get(URL, {"status": "pending_payment"}).json()["results"] == []
    # Computed on read: no job has run.
    assert Booking.objects.get(pk=body["id"]).status == BookingStatus.PENDING_PAYMENT


def test_a_confirmed_booking_has_no_hold_and_nothing_to_pay(
    practice, stripe_local_api, api_client, settings
):
    profile, service = practice["profile"], practice["service"]
    body = _book(practice["client_api"], service, free_start(profile, service))

    _confirm_through_stripe(api_client, stripe_local_api, body, settings)

    now = practice["client_api"].get(f"{URL}{body['id']}/").json()
    assert (now["status"], now["hold_expires_at"], now["payment"]) == ("confirmed", None, None)


def test_a_cancel_says_who_and_why_and_the_refund_as_stripe_has_it(
    practice, stripe_local_api, api_client, settings
):
    profile, service = practice["profile"], practice["service"]
    body = _book(practice["client_api"], service, free_start(profile, service, days_ahead=5))
    _confirm_through_stripe(api_client, stripe_local_api, body, settings)

    cancelled = practice["client_api"].post(
        f"{URL}{body['id']}/cancel/", {"reason": "  I have the flu, sorry.  "}
    )

    assert cancelled.status_code == 200, cancelled.json()
    seen = practice["practitioner_api"].get(f"{URL}{body['id']}/").json()
    for document in (cancelled.json(), seen):
        assert document["status"] == "cancelled"
        assert document["cancelled_by"] == "client"
        assert document["cancellation_reason"] == "I have the flu, sorry."
        assert document["cancelled_at"].endswith("Z")
        # In time: all of it, and Stripe has taken the refund already.
        assert document["refund"] == {
            "amount": {"amount": 9000, "currency": "EUR", "display": "€90.00"},
            "status": "succeeded",
        }
    (remote,) = stripe_local_api.v1.refunds.list(
        params={"payment_intent": body["payment"]["payment_intent_id"]}
    ).data
    assert (remote.amount, remote.status) == (9000, "succeeded")


def test_a_refund_stripe_cannot_take_yet_reads_pending(
    practice, stripe_local_api, api_client, settings
):
    profile, service = practice["profile"], practice["service"]
    body = _book(practice["client_api"], service, free_start(profile, service, days_ahead=5))
    _confirm_through_stripe(api_client, stripe_local_api, body, settings)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # Stripe unreachable from now on

    cancelled = practice["practitioner_api"].post(f"{URL}{body['id']}/cancel/")

    assert cancelled.json()["cancelled_by"] == "practitioner"
    assert cancelled.json()["cancellation_reason"] is None
    assert cancelled.json()["refund"]["status"] == "pending"
    assert cancelled.json()["refund"]["amount"]["amount"] == 9000


@pytest.mark.parametrize(
    "reason", ["x" * 501, ["a list"], {"an": "object"}], ids=["too-long", "list", "object"]
)
def test_a_cancellation_reason_is_a_short_text(practice, reason):
    profile, service = practice["profile"], practice["service"]
    body = _book(practice["client_api"], service, free_start(profile, service))
    response = practice["client_api"].post(
        f"{URL}{body['id']}/cancel/", {"reason": reason}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "reason" in response.json()["fields"]
    assert practice["client_api"].get(f"{URL}{body['id']}/").json()["status"] == "pending_payment"


def test_a_reason_of_500_characters_is_kept_whole(practice):
    profile, service = practice["profile"], practice["service"]
    body = _book(practice["client_api"], service, free_start(profile, service))
    reason = "é" * 500
    response = practice["client_api"].post(f"{URL}{body['id']}/cancel/", {"reason": reason})
    assert response.status_code == 200
    assert response.json()["cancellation_reason"] == reason


@pytest.mark.parametrize(("canceller", "role"), [("staff", "staff"), ("system", "system")])
def test_staff_and_the_system_cancel_in_full(practice, fake_payments, canceller, role):
    profile, service = practice["profile"], practice["service"]
    profile.cancellation_window_hours, profile.late_cancellation_refund_percent = 720, 0
    profile.save()
    body = _book(practice["client_api"], service, free_start(profile, service))
    booking = Booking.objects.get(pk=body["id"])
    fake_payments.pay(booking)
    # The admin's action (staff) or a job (the system) calls the service; no API does.
    staff = canceller == "staff"
    by = make_moderator(is_staff=True) if staff else None
    booking_cancel(
        booking=booking, by=by, as_staff=staff, reason="The practice is closed by a flood."
    )

    document = practice["client_api"].get(f"{URL}{body['id']}/").json()
    assert (document["cancelled_by"], document["cancellation_reason"]) == (
        role,
        "The practice is closed by a flood.",
    )
    # Not the client's doing: all of it back, late as it is.
    assert document["refund"] == {
        "amount": {"amount": 9000, "currency": "EUR", "display": "€90.00"},
        "status": "succeeded",
    }


def test_someone_else_cannot_cancel(practice):
    profile, service = practice["profile"], practice["service"]
    body = _book(practice["client_api"], service, free_start(profile, service))
    assert client_for(make_user()).post(f"{URL}{body['id']}/cancel/").status_code == 404
    assert practice["client_api"].get(f"{URL}{body['id']}/").json()["status"] == "pending_payment"
