"""localstripe for every test that pays: one real process per session, on loopback.

`localstripe` starts `python -m devtools.localstripe_server` on a free
127.0.0.1 port with its state in a temporary directory, waits until it
answers and stops it at the end of the session. `stripe_local_api` points the
settings at it for one test; `stripe_local` also registers pytest-django's
live server as its webhook endpoint (through `/_config/webhooks/`), so signed
events reach our webhook view. Registered from tests/conftest.py.
"""

import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from payments.stripe_client import get_client
from tests.payments.helpers import SECRET_KEY, WEBHOOK_PATH, WEBHOOK_SECRET
from tests.ports import free_port

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory):
    port = free_port()
    data_dir = tmp_path_factory.mktemp("localstripe")
    log = (data_dir / "server.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            *("-m", "devtools.localstripe_server", "--port", str(port)),
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
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def localstripe_webhooks(localstripe, live_server):
    response = requests.post(
        f"{localstripe}/_config/webhooks/stillpoint",
        json={"url": live_server.url + WEBHOOK_PATH, "secret": WEBHOOK_SECRET},
        timeout=5,
    )
    response.raise_for_status()
    return live_server.url + WEBHOOK_PATH


@pytest.fixture
def stripe_local_api(localstripe, settings):
    """Stripe calls go to localstripe (no webhook delivery needed)."""
    settings.STRIPE_API_BASE = localstripe
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_CONNECT = False
    return get_client()


@pytest.fixture
def stripe_local(stripe_local_api, localstripe_webhooks):
    """Stripe calls go to localstripe, and its signed webhooks come back to the live server."""
    return stripe_local_api
