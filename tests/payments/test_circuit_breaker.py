"""Stripe behind the circuit breaker, through the booking API.

Stripe "hangs" as a loopback socket that accepts connections and never answers (real
read timeouts), or is a closed port (real refused connections). After
STRIPE_CIRCUIT_FAILURES of those, bookings answer 503 at once without a hold until the
cool-down ends; then one real call is tried, against localstripe.
"""

import socket
import time

import pytest
from django.core.cache import cache
from django.core.management import call_command

from bookings.models import Booking, BookingStatus
from core.circuit_breaker import CircuitBreaker, CircuitOpen
from payments.models import Payment
from tests.bookings.conftest import free_start, iso
from tests.factories import client_for, make_booking, make_practitioner, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/bookings/"
TIMEOUT = 0.8
FAILURES = 3
COOLDOWN = 2.0
FAST = 0.4  # well under TIMEOUT: no Stripe call was waited for


@pytest.fixture
def stripe_hangs():
    """The address of a socket that accepts connections and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)  # the kernel completes handshakes; nobody ever reads or replies
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def breaker_settings(request, settings):
    """A short timeout and cool-down; the breaker's state in the local-memory cache, or
    (parametrized "db") in the database cache."""
    if getattr(request, "param", "locmem") == "db":
        # The database cache is shared by every process (as is redis): its incr()
        # also resets the key's expiry, which the breaker's window must survive.
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "test_circuit_cache",
            }
        }
        call_command("createcachetable", verbosity=0)
    settings.STRIPE_TIMEOUT_SECONDS = TIMEOUT
    settings.STRIPE_CIRCUIT_FAILURES = FAILURES
    settings.STRIPE_CIRCUIT_WINDOW_SECONDS = 30
    settings.STRIPE_CIRCUIT_COOLDOWN_SECONDS = COOLDOWN
    cache.clear()
    return settings


@pytest.fixture
def practice(db):
    _, profile, service = make_practitioner(min_notice_minutes=0)
    client_user = make_user()
    starts = iter([free_start(profile, service, index=i) for i in range(8)])
    return {
        "service": service,
        "client": client_user,
        "api": client_for(client_user),
        "starts": starts,
    }


def _timed_booking(practice):
    began = time.monotonic()
    response = practice["api"].post(
        URL, {"service": str(practice["service"].pk), "start": iso(next(practice["starts"]))}
    )
    return response, time.monotonic() - began


def _trip(practice):
    for _ in range(FAILURES):
        response, took = _timed_booking(practice)
        assert response.status_code == 503
        assert response.json()["code"] == "payment_provider_unavailable"
        assert took >= TIMEOUT  # each waited for Stripe's timeout


@pytest.mark.parametrize("breaker_settings", ["locmem", "db"], indirect=True)
def test_timeouts_open_the_circuit_then_a_trial_against_stripe_closes_it(
    breaker_settings, practice, stripe_hangs, localstripe
):
    breaker_settings.STRIPE_API_BASE = stripe_hangs
    _trip(practice)
    assert Booking.objects.count() == FAILURES
    assert not Booking.objects.exclude(status=BookingStatus.EXPIRED).exists()  # holds released

    refused, took = _timed_booking(practice)

    assert refused.status_code == 503
    assert refused.json()["code"] == "payment_provider_unavailable"
    assert took < FAST
    assert 1 <= int(refused["Retry-After"]) <= COOLDOWN
    assert Booking.objects.count() == FAILURES  # refused before any hold was taken

    # Stripe is back; after the cool-down one real call is tried, and it succeeds.
    breaker_settings.STRIPE_API_BASE = localstripe
    still_open, _ = _timed_booking(practice)
    assert still_open.status_code == 503
    time.sleep(COOLDOWN)
    trial, _ = _timed_booking(practice)
    assert trial.status_code == 201, trial.json()
    assert trial.json()["payment"]["client_secret"]
    after, _ = _timed_booking(practice)
    assert after.status_code == 201


def test_a_failed_trial_opens_the_circuit_for_another_cool_down(
    breaker_settings, practice, stripe_hangs
):
    breaker_settings.STRIPE_API_BASE = stripe_hangs
    _trip(practice)
    time.sleep(COOLDOWN)

    trial, took = _timed_booking(practice)
    assert trial.status_code == 503 and took >= TIMEOUT  # the trial really asked Stripe

    refused, took = _timed_booking(practice)
    assert refused.status_code == 503 and took < FAST


def test_refused_connections_count_and_other_payment_calls_are_refused_too(
    breaker_settings, practice
):
    breaker_settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # closed port: refused at once
    for _ in range(FAILURES):
        assert _timed_booking(practice)[0].status_code == 503
    orphan = make_booking(
        client=practice["client"],
        service=practice["service"],
        start=next(practice["starts"]),
        status=BookingStatus.PENDING_PAYMENT,
    )

    resumed = practice["api"].post(f"{URL}{orphan.pk}/pay/")

    assert resumed.status_code == 503
    assert resumed.json()["code"] == "payment_provider_unavailable"
    assert 1 <= int(resumed["Retry-After"]) <= COOLDOWN
    assert not Payment.objects.exists()


def test_zero_failures_turns_the_breaker_off(breaker_settings, practice):
    breaker_settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    breaker_settings.STRIPE_CIRCUIT_FAILURES = 0
    for _ in range(FAILURES + 1):
        assert _timed_booking(practice)[0].status_code == 503
    # Each attempt took (and released) a hold: nothing refused them up front.
    assert Booking.objects.filter(status=BookingStatus.EXPIRED).count() == FAILURES + 1


def test_one_trial_at_a_time_while_half_open():
    breaker = CircuitBreaker(
        name="test",
        failure_threshold=1,
        window_seconds=30,
        cooldown_seconds=0.05,
        trial_timeout_seconds=5,
    )
    with pytest.raises(ConnectionError), breaker.call(failures=(ConnectionError,)):
        raise ConnectionError("down")
    time.sleep(0.06)
    assert breaker.refusing_for() is None  # a trial may go

    with breaker.call(failures=(ConnectionError,)):  # this caller is the trial ...
        assert breaker.refusing_for() is not None
        with pytest.raises(CircuitOpen), breaker.call(failures=(ConnectionError,)):
            pass  # ... so a second one is refused meanwhile

    assert breaker.refusing_for() is None  # the trial succeeded: closed
    with breaker.call(failures=(ConnectionError,)):
        pass
