"""Helpers for booking tests: free slots as the engine sees them, practitioners to book."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.availability import practitioner_slots
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


@pytest.fixture
def fake_payments():
    """The in-memory payment port instead of the Stripe adapter, restored afterwards."""
    from bookings import payment_port
    from tests.bookings.fake_payment_port import FakePaymentPort

    fake = FakePaymentPort()
    with payment_port.swapped(fake):
        yield fake
