"""Events from the changes that cause them, through the API: a practitioner's endpoint gets
the events of its own bookings, payments and reviews, a staff endpoint every event, an
endpoint with event types only those; `data` is what the API shows the practitioner."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from bookings.models import BookingStatus
from tests.bookings.conftest import free_start, iso
from tests.factories import (
    client_for,
    make_booking,
    make_moderator,
    make_payment,
    make_practitioner,
    make_user,
    past_hour,
)
from tests.payments.helpers import (
    WEBHOOK_SECRET,
    intent_succeeded_event,
    make_event,
    pay,
    post_event,
)
from tests.webhooks.helpers import body_of, event_types, subscribe, verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice(private_networks, receiver):
    """A practitioner with a free service and an endpoint for every event at /own."""
    user, profile, service = make_practitioner(price_amount=0, min_notice_minutes=0)
    api = client_for(user)
    hook = subscribe(api, receiver.url("/own"))
    return {"user": user, "profile": profile, "service": service, "api": api, "hook": hook}


def _book(client_api, practice, capture, index=0):
    start = free_start(practice["profile"], practice["service"], index=index)
    with capture(execute=True):
        response = client_api.post(
            "/api/v1/bookings/", {"service": str(practice["service"].pk), "start": iso(start)}
        )
    assert response.status_code == 201, response.content
    return response.json()


def test_own_events_to_the_practitioner_all_to_staff_none_to_others(
    practice, receiver, client_api, staff_api, django_capture_on_commit_callbacks
):
    other_user, _, _ = make_practitioner(name="Other Practitioner")
    subscribe(client_for(other_user), receiver.url("/other"))
    staff_hook = subscribe(staff_api, receiver.url("/staff"))

    booking = _book(client_api, practice, django_capture_on_commit_callbacks)

    own = receiver.at("/own")
    assert event_types(own, practice["hook"]["secret"]) == ["booking.created", "booking.confirmed"]
    assert event_types(receiver.at("/staff"), staff_hook["secret"]) == [
        "booking.created",
        "booking.confirmed",
    ]
    assert receiver.at("/other") == []
    # The same event (one id) to each endpoint, each delivery with its own webhook-id.
    assert body_of(own[0])["id"] == body_of(receiver.at("/staff")[0])["id"]
    assert own[0].headers["webhook-id"] != receiver.at("/staff")[0].headers["webhook-id"]
    seen_by_practitioner = practice["api"].get(f"/api/v1/bookings/{booking['id']}/").json()
    assert verified(own[1], practice["hook"]["secret"])["data"] == seen_by_practitioner
    assert seen_by_practitioner["status"] == "confirmed"


def test_event_types_filter_what_an_endpoint_gets(
    practice, receiver, client_api, django_capture_on_commit_callbacks
):
    only_cancel = subscribe(
        practice["api"], receiver.url("/cancellations"), event_types=["booking.cancelled"]
    )
    booking = _book(client_api, practice, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        client_api.post(f"/api/v1/bookings/{booking['id']}/cancel/")

    (cancelled,) = receiver.at("/cancellations")
    event = verified(cancelled, only_cancel["secret"])
    assert (event["type"], event["data"]["status"]) == ("booking.cancelled", "cancelled")
    assert event_types(receiver.at("/own"), practice["hook"]["secret"]) == [
        "booking.created",
        "booking.confirmed",
        "booking.cancelled",
    ]


def test_reschedule_complete_and_no_show(
    practice, receiver, client_api, client_user, django_capture_on_commit_callbacks
):
    booking = _book(client_api, practice, django_capture_on_commit_callbacks)
    new_start = free_start(practice["profile"], practice["service"], days_ahead=4)
    past = [
        make_booking(client=client_user, service=practice["service"], start=past_hour())
        for _ in range(2)
    ]
    receiver.received.clear()

    with django_capture_on_commit_callbacks(execute=True):
        moved = client_api.post(
            f"/api/v1/bookings/{booking['id']}/reschedule/", {"start": iso(new_start)}
        )
        practice["api"].post(f"/api/v1/bookings/{past[0].pk}/complete/")
        practice["api"].post(f"/api/v1/bookings/{past[1].pk}/no-show/")

    events = [verified(r, practice["hook"]["secret"]) for r in receiver.at("/own")]
    assert [e["type"] for e in events] == [
        "booking.rescheduled",
        "booking.completed",
        "booking.no_show",
    ]
    assert events[0]["data"]["start"] == moved.json()["start"] == iso(new_start)
    assert (events[1]["data"]["id"], events[1]["data"]["status"]) == (str(past[0].pk), "completed")
    assert (events[2]["data"]["id"], events[2]["data"]["status"]) == (str(past[1].pk), "no_show")


def test_a_lapsed_hold_is_booking_expired(
    practice, receiver, client_user, django_capture_on_commit_callbacks
):
    held = make_booking(
        client=client_user,
        service=practice["service"],
        status=BookingStatus.PENDING_PAYMENT,
        hold=timezone.now() - timedelta(minutes=1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        call_command("expire_holds")

    (request,) = receiver.at("/own")
    event = verified(request, practice["hook"]["secret"])
    assert (event["type"], event["data"]["id"], event["data"]["status"]) == (
        "booking.expired",
        str(held.pk),
        "expired",
    )


def test_an_approved_review_is_review_published(
    practice, receiver, client_api, client_user, django_capture_on_commit_callbacks
):
    done = make_booking(
        client=client_user, service=practice["service"], status=BookingStatus.COMPLETED
    )
    review = client_api.post(
        f"/api/v1/bookings/{done.pk}/review/", {"rating": 5, "text": "Calm and kind."}
    ).json()

    with django_capture_on_commit_callbacks(execute=True):
        client_for(make_moderator()).post(f"/api/v1/moderation/reviews/{review['id']}/approve/")

    (request,) = receiver.at("/own")
    event = verified(request, practice["hook"]["secret"])
    assert event["type"] == "review.published"
    public = client_api.get(f"/api/v1/practitioners/{practice['profile'].slug}/reviews/").json()
    assert event["data"] == public["results"][0]


def test_a_refund_synced_from_stripe_is_payment_refunded(
    practice, receiver, client_user, api_client, settings, django_capture_on_commit_callbacks
):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    booking = make_booking(
        client=client_user, service=practice["service"], status=BookingStatus.COMPLETED
    )
    payment = make_payment(booking=booking, amount=9000, status="succeeded")
    charge = {
        "id": "ch_test",
        "object": "charge",
        "amount": 9000,
        "currency": payment.currency.lower(),  # Stripe's codes are lower case
        "amount_refunded": 2500,
        "payment_intent": payment.payment_intent_id,
    }

    with django_capture_on_commit_callbacks(execute=True):
        post_event(api_client, make_event("charge.refunded", charge))

    (request,) = receiver.at("/own")
    event = verified(request, practice["hook"]["secret"])
    assert event["type"] == "payment.refunded"
    assert event["data"] | {"id": None, "created_at": None} == {
        "id": None,
        "booking": str(booking.pk),
        "payment_intent_id": payment.payment_intent_id,
        "amount": {"amount": 2500, "currency": "EUR", "display": "€25.00"},
        "reason": "external",
        "status": "succeeded",
        "payment_amount": {"amount": 9000, "currency": "EUR", "display": "€90.00"},
        "payment_refunded_amount": {"amount": 2500, "currency": "EUR", "display": "€25.00"},
        "created_at": None,
    }


def test_paid_booking_confirmed_cancelled_and_refunded(
    receiver, private_networks, stripe_local_api, settings, django_capture_on_commit_callbacks
):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    user, profile, service = make_practitioner(min_notice_minutes=0)
    hook = subscribe(client_for(user), receiver.url("/own"))
    client_api = client_for(make_user())
    with django_capture_on_commit_callbacks(execute=True):
        booking = client_api.post(
            "/api/v1/bookings/",
            {"service": str(service.pk), "start": iso(free_start(profile, service))},
        ).json()
    intent = pay(stripe_local_api, booking["payment"]["payment_intent_id"])
    with django_capture_on_commit_callbacks(execute=True):
        post_event(client_api, intent_succeeded_event(intent, booking_id=booking["id"]))
    with django_capture_on_commit_callbacks(execute=True):
        client_api.post(f"/api/v1/bookings/{booking['id']}/cancel/")

    events = [verified(r, hook["secret"]) for r in receiver.at("/own")]
    assert [e["type"] for e in events] == [
        "booking.created",
        "booking.confirmed",
        "booking.cancelled",
        "payment.refunded",
    ]
    assert events[0]["data"]["payment"] is None  # the client's payment secret stays theirs
    cancelled = events[2]["data"]
    # Published with the cancellation, before Stripe took the refund.
    assert cancelled["refund"] == {
        "amount": {"amount": 9000, "currency": "EUR", "display": "€90.00"},
        "status": "pending",
    }
    assert cancelled["cancelled_by"] == "client"
    refunded = events[3]["data"]
    assert (refunded["booking"], refunded["amount"]["amount"], refunded["reason"]) == (
        booking["id"],
        9000,
        "cancellation",
    )
