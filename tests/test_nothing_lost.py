"""Nothing is lost: bookings, payments, refunds and reviews survive every delete.

Cascades cannot remove them (PROTECT), and deleting an account through the API
anonymises the person while the financial and review history stays intact.
"""

from datetime import timedelta

import pytest
from django.db.models import ProtectedError
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from payments.models import Payment, PaymentStatus, Refund, RefundReason, RefundStatus
from reviews import services as review_services
from reviews.models import Review
from tests.factories import client_for, make_booking, make_payment, make_practitioner, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def history():
    """A completed, paid, partly refunded booking with a review."""
    practitioner, profile, service = make_practitioner()
    client = make_user(name="Anna Kowalska")
    start = (timezone.now() - timedelta(days=3)).replace(microsecond=0)
    booking = make_booking(
        client=client,
        service=service,
        start=start,
        status=BookingStatus.COMPLETED,
        completed_at=start + timedelta(hours=1),
    )
    payment = make_payment(booking=booking, status=PaymentStatus.SUCCEEDED, refunded_amount=1000)
    refund = Refund.objects.create(
        payment=payment,
        amount=1000,
        reason=RefundReason.CANCELLATION,
        status=RefundStatus.SUCCEEDED,
    )
    review = review_services.review_create(
        user=client, booking_id=booking.pk, rating=5, text="Gentle and deeply calming work."
    )
    return {
        "practitioner": practitioner,
        "profile": profile,
        "service": service,
        "client": client,
        "booking": booking,
        "payment": payment,
        "refund": refund,
        "review": review,
    }


def assert_history_intact(history):
    assert Booking.objects.filter(pk=history["booking"].pk).exists()
    assert Payment.objects.filter(pk=history["payment"].pk).exists()
    assert Refund.objects.filter(pk=history["refund"].pk).exists()
    assert Review.objects.filter(pk=history["review"].pk).exists()


@pytest.mark.parametrize(
    "victim",
    ["client", "practitioner", "profile", "service", "booking", "payment"],
)
def test_no_cascade_can_delete_the_history(history, victim):
    with pytest.raises(ProtectedError):
        history[victim].delete()
    assert_history_intact(history)


def test_client_deleting_the_account_keeps_bookings_payments_refunds_and_reviews(history):
    response = client_for(history["client"]).delete("/api/v1/me/")
    assert response.status_code == 204
    assert_history_intact(history)
    client = history["client"]
    client.refresh_from_db()
    assert (client.name, client.is_active) == ("", False)
    assert "anna" not in client.email.lower()
    booking = Booking.objects.get(pk=history["booking"].pk)
    assert (booking.client_id, booking.amount) == (client.pk, history["booking"].amount)


def test_practitioner_deleting_the_account_leaves_the_directory_and_keeps_history(
    history, api_client
):
    profile = history["profile"]
    assert api_client.get(f"/api/v1/practitioners/{profile.slug}/").status_code == 200
    response = client_for(history["practitioner"]).delete("/api/v1/me/")
    assert response.status_code == 204
    assert_history_intact(history)
    profile.refresh_from_db()
    assert not profile.is_published
    assert profile.display_name == ""
    assert api_client.get(f"/api/v1/practitioners/{profile.slug}/").status_code == 404
    # The client still sees the booking they paid for.
    mine = client_for(history["client"]).get(f"/api/v1/bookings/{history['booking'].pk}/")
    assert mine.status_code == 200


@pytest.mark.parametrize("party", ["client", "practitioner"])
def test_account_with_upcoming_bookings_cannot_be_deleted(party):
    practitioner, _profile, service = make_practitioner()
    client = make_user()
    make_booking(
        client=client,
        service=service,
        start=(timezone.now() + timedelta(days=2)).replace(microsecond=0),
        status=BookingStatus.CONFIRMED,
    )
    user = client if party == "client" else practitioner
    response = client_for(user).delete("/api/v1/me/")
    assert response.status_code == 409
    assert response.data["code"] == "open_bookings"
    user.refresh_from_db()
    assert user.is_active and user.anonymised_at is None
