"""20 clients race for one slot through a live server: exactly one 201, the rest 409."""

import json
import threading
import urllib.error
import urllib.request
from collections import Counter

import pytest
from rest_framework_simplejwt.tokens import RefreshToken

from bookings.models import ACTIVE_STATUSES, Booking
from tests.bookings.conftest import free_start, iso
from tests.factories import make_practitioner, make_user

CLIENTS = 20


def _race(live_server, *, same_user_key: str | None = None) -> Counter:
    _, profile, service = make_practitioner(min_notice_minutes=0)
    body = json.dumps({"service": str(service.pk), "start": iso(free_start(profile, service))})
    if same_user_key:
        user = make_user()
        tokens = [str(RefreshToken.for_user(user).access_token)] * CLIENTS
    else:
        tokens = [str(RefreshToken.for_user(make_user()).access_token) for _ in range(CLIENTS)]
    headers = {"Content-Type": "application/json"}
    if same_user_key:
        headers["Idempotency-Key"] = same_user_key
    barrier = threading.Barrier(CLIENTS)
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def attempt(token: str) -> None:
        request = urllib.request.Request(
            f"{live_server.url}/api/v1/bookings/",
            data=body.encode(),
            headers={"Authorization": f"Bearer {token}", **headers},
            method="POST",
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                data = json.loads(response.read())
                outcome = (response.status, data["id"] if same_user_key else data["status"])
        except urllib.error.HTTPError as error:
            outcome = (error.code, json.loads(error.read()).get("code", ""))
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=attempt, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert Booking.objects.filter(status__in=ACTIVE_STATUSES).count() == 1
    return Counter(results)


@pytest.mark.django_db(transaction=True)
def test_twenty_clients_one_slot(live_server):
    outcome = _race(live_server)
    assert outcome == {(201, "pending_payment"): 1, (409, "slot_unavailable"): CLIENTS - 1}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_clients_one_slot_postgres(live_server):
    outcome = _race(live_server)
    assert outcome == {(201, "pending_payment"): 1, (409, "slot_unavailable"): CLIENTS - 1}


@pytest.mark.django_db(transaction=True)
def test_twenty_retries_with_one_idempotency_key_make_one_booking(live_server):
    outcome = _race(live_server, same_user_key="retry-1")
    (booking_id,) = Booking.objects.values_list("pk", flat=True)
    assert outcome == {(201, str(booking_id)): 1, (200, str(booking_id)): CLIENTS - 1}
