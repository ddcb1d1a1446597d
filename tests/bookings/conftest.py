"""Helpers for booking tests: free slots as the engine sees them, practitioners to book."""

from datetime import UTC, datetime, timedelta

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


# A fixed "now" for tests that read local times and zones: ten days before Berlin moves to
# summer time (Sunday 31 March 2030, 02:00 CET -> 03:00 CEST).
CLOCK_START = datetime(2030, 3, 21, 12, 0, tzinfo=UTC)
# 10:00 CEST on that Sunday.
BERLIN_DST_SUNDAY_10 = datetime(2030, 3, 31, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock(time_machine):
    """The clock stands at CLOCK_START (not ticking) until a test moves it; API clients
    must be made after it is set (their tokens expire 15 minutes after issue)."""
    time_machine.move_to(CLOCK_START, tick=False)
    return time_machine


@pytest.fixture
def berlin(db):
    """(user, profile, service): a free 60-minute session in Berlin, 09:00-17:00 daily,
    bookable at any notice up to a year ahead, at a street address."""
    user, profile, service = make_practitioner(
        name="Mira Lind", price_amount=0, min_notice_minutes=0, max_advance_days=365
    )
    service.location.address_line, service.location.postal_code = "Torstraße 1", "10119"
    service.location.country = "DE"
    service.location.save()
    return user, profile, service
