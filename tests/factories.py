"""Small factories for tests: users of each role and authenticated API clients."""

import itertools
from datetime import timedelta

from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import Role, User
from directory.services import profile_create_for_practitioner

PASSWORD = "calm-Waters-2026"
_counter = itertools.count(1)


def make_user(*, role=Role.CLIENT, email=None, name=None, password=PASSWORD, **extra) -> User:
    n = next(_counter)
    user = User.objects.create_user(
        email=email or f"user{n}@example.org",
        password=password,
        name=name or f"Test User{n}",
        role=role,
        **extra,
    )
    if role == Role.PRACTITIONER:
        profile_create_for_practitioner(user=user)
    return user


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


def make_practitioner(
    *,
    name: str = "Mira Lind",
    timezone: str = "Europe/Berlin",
    latitude: float = 52.52,
    longitude: float = 13.405,
    city: str = "Berlin",
    price_amount: int = 9000,
    currency: str = "eur",
    duration_minutes: int = 60,
    weekly_hours: tuple[int, int] = (9, 17),
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6),
    published: bool = True,
    **profile_fields,
):
    """A practitioner with one location, one in-person service and weekly rules.

    Returns (user, profile, service). Rules run every listed weekday from
    weekly_hours[0]:00 to weekly_hours[1]:00 in the practitioner's timezone.
    """
    from directory.models import AvailabilityRule, Location, Service
    from directory.services import search_card_refresh

    user = make_user(role=Role.PRACTITIONER, name=name)
    profile = user.practitioner_profile
    profile.timezone = timezone
    profile.is_published = published
    profile.headline = profile_fields.pop("headline", "Craniosacral therapy")
    for field, value in profile_fields.items():
        setattr(profile, field, value)
    profile.save()
    location = Location.objects.create(
        practitioner=profile,
        name="Practice",
        city=city,
        latitude=latitude,
        longitude=longitude,
        is_listed=published,
    )
    service = Service.objects.create(
        practitioner=profile,
        name="Craniosacral session",
        duration_minutes=duration_minutes,
        price_amount=price_amount,
        currency=currency,
        mode="in_person",
        location=location,
    )
    search_card_refresh(profile=profile)
    start, end = weekly_hours
    AvailabilityRule.objects.bulk_create(
        AvailabilityRule(
            practitioner=profile, weekday=day, start_minute=start * 60, end_minute=end * 60
        )
        for day in weekdays
    )
    return user, profile, service


def make_booking(*, client, service, start, status="confirmed", hold=None, completed_at=None):
    """A booking written straight to the table, for states the clock cannot reach in a test.

    Blocks [start, end + buffer) as booking_create_idempotent does.
    """
    from bookings.models import Booking

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
        completed_at=completed_at,
    )


def make_payment(*, booking, **fields):
    """The Payment row payment_start_for_booking leaves for a booking, without a Stripe call.

    `fields` override the defaults (a pending intent for the booking's amount).
    """
    from payments.models import Payment

    values = {
        "payment_intent_id": f"pi_test_{booking.pk.hex[:12]}",
        "client_secret": "pi_secret",
        "stripe_customer_id": "cus_test",
        "amount": booking.amount,
        "currency": booking.currency,
    }
    return Payment.objects.create(booking=booking, **{**values, **fields})
