"""localstripe for the payments tests: one real process per session, on loopback.

`localstripe` starts `python -m payments.localstripe_server` on a free
127.0.0.1 port with its state in a temporary directory, waits until it
answers, registers pytest-django's live server as its webhook endpoint and
stops it at the end. `stripe_local` points the settings at it for one test.
"""

import hashlib
import hmac
import json
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from payments.stripe_client import get_client

WEBHOOK_SECRET = "whsec_test_stillpoint"
SECRET_KEY = "sk_test_stillpoint"
WEBHOOK_PATH = "/api/v1/payments/stripe/webhook/"
REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe(live_server, tmp_path_factory):
    port = _free_port()
    data_dir = tmp_path_factory.mktemp("localstripe")
    log = (data_dir / "server.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            *("-m", "payments.localstripe_server", "--port", str(port)),
            *("--data-dir", str(data_dir), "--from-scratch"),
        ],
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.get(f"{base}/js.stripe.com/v3/", timeout=1)
                break
            except requests.ConnectionError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "localstripe did not start: " + (data_dir / "server.log").read_text()
                    ) from None
                time.sleep(0.1)
        response = requests.post(
            f"{base}/_config/webhooks/stillpoint",
            json={"url": live_server.url + WEBHOOK_PATH, "secret": WEBHOOK_SECRET},
            timeout=5,
        )
        response.raise_for_status()
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@pytest.fixture
def stripe_local(localstripe, settings):
    settings.STRIPE_API_BASE = localstripe
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_CONNECT = False
    return get_client()


@pytest.fixture
def webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return WEBHOOK_SECRET


def sign(payload: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = b"%d.%s" % (timestamp, payload)
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def post_event(api_client, event: dict, **sign_kwargs):
    payload = json.dumps(event).encode()
    return api_client.post(
        WEBHOOK_PATH,
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(payload, **sign_kwargs),
    )


def make_event(event_type: str, obj: dict, *, event_id: str | None = None) -> dict:
    return {
        "id": event_id or f"evt_test_{time.monotonic_ns()}",
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "api_version": "2024-06-20",
        "data": {"object": obj},
    }


def make_booking(
    *,
    client,
    service,
    start=None,
    hold_minutes: int = 15,
    status=BookingStatus.PENDING_PAYMENT,
) -> Booking:
    start = start or (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    end = start + timedelta(minutes=service.duration_minutes)
    return Booking.objects.create(
        client=client,
        practitioner=service.practitioner,
        service=service,
        location=service.location,
        status=status,
        start=start,
        end=end,
        blocked_start=start,
        blocked_end=end,
        duration_minutes=service.duration_minutes,
        amount=service.price_amount,
        currency=service.currency,
        hold_expires_at=timezone.now() + timedelta(minutes=hold_minutes),
    )


def wait_for(predicate, *, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def pay(client, payment_intent_id: str, payment_method: str = "pm_card_visa"):
    """What Stripe.js does for the client: attach a method and confirm.

    localstripe rejects `confirm(payment_method=...)`, so the method is set first.
    """
    client.v1.payment_intents.update(payment_intent_id, params={"payment_method": payment_method})
    return client.v1.payment_intents.confirm(payment_intent_id)
