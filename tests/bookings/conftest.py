"""Helpers for booking tests: free slots as the engine sees them, bookings in any state."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from bookings.selectors import practitioner_slots
from tests.factories import make_practitioner


def slots_on(profile, service, days_ahead: int):
    day = timezone.now().astimezone(timezone.get_current_timezone()).date() + timedelta(
        days=days_ahead
    )
    return practitioner_slots(practitioner=profile, service=service, date_from=day, date_to=day)


def free_start(profile, service, days_ahead: int = 3, index: int = 0):
    return slots_on(profile, service, days_ahead)[index].start


def iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def make_booking(*, client, service, start, status=BookingStatus.CONFIRMED, hold=None):
    """A booking written straight to the table, for states the clock cannot reach in a test."""
    profile = service.practitioner
    end = start + timedelta(minutes=service.duration_minutes)
    return Booking.objects.create(
        client=client,
        practitioner=profile,
        service=service,
        location=service.location,
        status=status,
        start=start,
        end=end,
        blocked_start=start,
        blocked_end=end + timedelta(minutes=profile.buffer_minutes),
        duration_minutes=service.duration_minutes,
        amount=service.price_amount,
        currency=service.currency,
        hold_expires_at=hold,
    )


@pytest.fixture(autouse=True)
def _payments_through_localstripe(stripe_local_api):
    # A paid booking made through the API starts a PaymentIntent (payments issue).
    return stripe_local_api


@pytest.fixture
def practitioner(db):
    """(user, profile, service): Berlin, 09:00-17:00 daily, 60 min for 90.00 EUR, no notice."""
    return make_practitioner(min_notice_minutes=0)


@pytest.fixture
def free_practitioner(db):
    return make_practitioner(name="Free Fran", price_amount=0, min_notice_minutes=0)
