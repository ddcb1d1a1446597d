"""The one set of test factories: users of each role, practitioners with what they offer,
bookings in any state, payments and reviews, and authenticated API clients.

Plain functions rather than factory_boy: most rows here are made through the services
(profiles, reviews, search cards), and each function's keywords say all it can vary.
"""

import itertools
from datetime import timedelta

from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import MODERATORS_GROUP, Role, User
from accounts.tokens import token_pair_for
from bookings.models import BookingStatus
from directory.services import profile_create_for_practitioner

PASSWORD = "calm-Waters-2026"
_counter = itertools.count(1)
_past_days = itertools.count(2)


def make_user(
    *,
    role=Role.CLIENT,
    email=None,
    name=None,
    password=PASSWORD,
    email_verified: bool = True,
    **extra,
) -> User:
    """A user of `role` with a verified address unless `email_verified=False`."""
    n = next(_counter)
    user = User.objects.create_user(
        email=email or f"user{n}@example.org",
        password=password,
        name=name or f"Test User{n}",
        role=role,
        email_verified_at=timezone.now() if email_verified else None,
        **extra,
    )
    if role == Role.PRACTITIONER:
        profile_create_for_practitioner(user=user)
    return user


def enable_mfa(user: User) -> list[str]:
    """Turn two-factor authentication on through accounts.mfa, as a user does with an
    authenticator app; returns the recovery codes."""
    from accounts import mfa

    mfa.totp_setup_start(user=user)
    return mfa.totp_setup_confirm(user=user, code=totp_code(user))


def totp_code(user: User) -> str:
    """The code the user's authenticator app shows that the server will still accept.

    Each time step's code is accepted once, so a second code within 30 seconds is the
    next step's, which the server accepts as clock drift (and follows).
    """
    from django_otp.oath import TOTP, hotp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user).order_by("-confirmed", "-pk").first()
    now = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()
    step = max(now, device.last_t + 1)
    return f"{hotp(device.bin_key, step, digits=device.digits):0{device.digits}d}"


def wrong_totp_code(user: User) -> str:
    """A six-digit code that is not the one the app shows now."""
    return f"{(int(totp_code(user)) + 1) % 1_000_000:06d}"


def make_moderator(*, mfa: bool = True, **extra) -> User:
    """A client account in the moderators group, with two-factor authentication on
    (moderating requires it) unless mfa=False."""
    user = make_user(role=Role.CLIENT, **extra)
    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    user.groups.add(group)
    if mfa:
        enable_mfa(user)
    return user


def make_staff(*, mfa: bool = True, **extra) -> User:
    """A staff account (it moderates and may use the admin), with two-factor
    authentication on unless mfa=False."""
    user = make_user(role=Role.CLIENT, is_staff=True, **extra)
    if mfa:
        enable_mfa(user)
    return user


def tokens_for(user: User, *, mfa: bool | None = None) -> dict[str, str]:
    """A fresh session, as POST /auth/token/ gives the user: it records two-factor
    authentication when the user has it on; mfa=False gives a password-only pair."""
    from accounts.selectors import user_mfa_enabled

    if mfa is None:
        mfa = user_mfa_enabled(user)
    return token_pair_for(user, mfa_verified=mfa)


def client_for(user: User, *, mfa: bool | None = None) -> APIClient:
    """An API client signed in as the user (see tokens_for)."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(user, mfa=mfa)['access']}")
    return client


def admin_client_for(user: User, *, password: str = PASSWORD) -> Client:
    """A browser signed in to the admin through its login form: password and app code."""
    browser = Client()
    response = browser.post(
        "/admin/login/",
        {"username": user.email, "password": password, "otp_token": totp_code(user)},
    )
    if response.status_code != 302:
        errors = response.context["form"].errors if response.context else response.status_code
        raise AssertionError(f"admin login failed for {user.email}: {errors}")
    return browser


def make_location(profile, *, latitude=52.52, longitude=13.405, **fields):
    """A location written straight to the table (no search card refresh)."""
    from directory.models import Location

    return Location.objects.create(
        practitioner=profile, latitude=latitude, longitude=longitude, **fields
    )


def make_service(profile, **fields):
    """A service written straight to the table (no search card refresh).

    Defaults: the 60-minute craniosacral session for €90.00, online unless a
    location is given.
    """
    from directory.models import Service

    values = {
        "name": "Craniosacral session",
        "duration_minutes": 60,
        "price_amount": 9000,
        "currency": "EUR",
        "mode": "in_person" if fields.get("location") else "online",
    }
    return Service.objects.create(practitioner=profile, **{**values, **fields})


def make_practitioner(
    *,
    name: str = "Mira Lind",
    timezone: str = "Europe/Berlin",
    latitude: float = 52.52,
    longitude: float = 13.405,
    city: str = "Berlin",
    price_amount: int = 9000,
    currency: str = "EUR",
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
    from directory.models import AvailabilityRule
    from directory.search_index import search_document_refresh
    from directory.services import search_card_refresh

    user = make_user(role=Role.PRACTITIONER, name=name)
    profile = user.practitioner_profile
    profile.timezone = timezone
    profile.is_published = published
    profile.headline = profile_fields.pop("headline", "Craniosacral therapy")
    for field, value in profile_fields.items():
        setattr(profile, field, value)
    profile.save()
    location = make_location(
        profile,
        name="Practice",
        city=city,
        latitude=latitude,
        longitude=longitude,
        is_listed=published,
    )
    service = make_service(
        profile,
        duration_minutes=duration_minutes,
        price_amount=price_amount,
        currency=currency,
        location=location,
    )
    search_card_refresh(profile=profile)
    search_document_refresh(profile=profile)
    start, end = weekly_hours
    AvailabilityRule.objects.bulk_create(
        AvailabilityRule(
            practitioner=profile, weekday=day, start_minute=start * 60, end_minute=end * 60
        )
        for day in weekdays
    )
    return user, profile, service


def past_hour():
    """A whole hour in the past, on a different day at each call (so bookings never clash)."""
    return (timezone.now() - timedelta(days=next(_past_days))).replace(
        minute=0, second=0, microsecond=0
    )


_UNSET = object()


def make_booking(
    *,
    client,
    service,
    start=None,
    status=BookingStatus.CONFIRMED,
    hold=_UNSET,
    completed_at=_UNSET,
    cancelled_by="client",
):
    """A booking written straight to the table, for states the clock cannot reach in a test.

    Snapshots the service as booking_create_idempotent does; a cancelled one was
    cancelled now by `cancelled_by` (a role).

    Blocks [start, end + buffer) as booking_create_idempotent does. Defaults follow the
    status: a completed booking starts at a `past_hour()` and was completed at its end;
    any other starts three days ahead. A pending one holds its slot for 15 more minutes
    (the table requires a hold); `hold` and `completed_at` are None otherwise.
    """
    from bookings.models import Booking
    from bookings.snapshots import service_snapshot

    profile = service.practitioner
    if start is None:
        if status == BookingStatus.COMPLETED:
            start = past_hour()
        else:
            start = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    end = start + timedelta(minutes=service.duration_minutes)
    if hold is _UNSET:
        hold = (
            timezone.now() + timedelta(minutes=15)
            if status == BookingStatus.PENDING_PAYMENT
            else None
        )
    if completed_at is _UNSET:
        completed_at = end if status == BookingStatus.COMPLETED else None
    cancelled = status == BookingStatus.CANCELLED
    return Booking.objects.create(
        client=client,
        practitioner=profile,
        service=service,
        status=status,
        start=start,
        end=end,
        blocked_start=start,
        blocked_end=end + timedelta(minutes=profile.buffer_minutes),
        amount=service.price_amount,
        currency=service.currency,
        hold_expires_at=hold,
        completed_at=completed_at,
        cancelled_at=timezone.now() if cancelled else None,
        cancelled_by_role=cancelled_by if cancelled else None,
        **service_snapshot(service),
    )


def make_past_client(*, service, **extra) -> User:
    """A client with one completed session of `service`: a reporter whose reports count."""
    user = make_user(role=Role.CLIENT, **extra)
    make_booking(client=user, service=service, status=BookingStatus.COMPLETED)
    return user


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


def make_review(*, client, service, rating=4, text="A calm, careful and kind session."):
    """A pending review, written through reviews.services, of a fresh completed booking."""
    from reviews import services

    booking = make_booking(client=client, service=service, status=BookingStatus.COMPLETED)
    return services.review_create(user=client, booking_id=booking.pk, rating=rating, text=text)


def result_ids(response) -> list[str]:
    """The ids of a successful list response's results, in order."""
    assert response.status_code == 200, response.json()
    return [r["id"] for r in response.json()["results"]]
