"""Webhook delivery throughput: deliveries to a local receiver by one outbox delivery run.

    python -m bench.webhooks [--n 1000] [--database-url URL]
    .ci/with-postgres .venv/bin/python -m bench.webhooks

`measure_webhook_drain(n)` publishes n events to one subscription whose endpoint is a
real HTTP receiver on 127.0.0.1 (devtools.webhook_receiver, in a process of its own, as
a real receiver is: in a thread it would share this process's interpreter lock), then times one
`outbox_deliver_due()` run delivering them: each one signed, POSTed over a kept-alive
connection, its attempt logged, its row marked sent. It needs Django set up on a
migrated database with no job consumer running (bench.jobs calls it so); run as a module
it makes a throwaway database and job store first, and prints the rate against the
200/s goal.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.setup import in_process_env, migrate, prepare_database, setup_django

GOAL_PER_SECOND = 200.0
REPO = Path(__file__).resolve().parents[1]


def _booking_like(index: int) -> dict:
    """About the size and shape of a booking event's `data`."""
    return {
        "id": f"00000000-0000-4000-8000-{index:012d}",
        "status": "confirmed",
        "start": "2026-12-24T09:00:00Z",
        "end": "2026-12-24T10:00:00Z",
        "timezone": "Europe/Berlin",
        "practitioner": {
            "id": "5b2d9c1e-8a4f-4e3b-b6d7-1f0e2c3a4b5c",
            "slug": "mira-lind",
            "display_name": "Mira Lind",
            "photo": None,
        },
        "service": {
            "id": "7c1e4a52-2f6e-4d7b-9f0e-3c5b8a1d2e4f",
            "name": "Craniosacral session",
            "duration_minutes": 60,
            "mode": "in_person",
        },
        "location": {
            "id": "2e4f6a8b-0c1d-4e3f-a5b6-c7d8e9f0a1b2",
            "name": "Practice",
            "address": "Torstraße 1, 10119 Berlin, DE",
            "latitude": 52.529,
            "longitude": 13.401,
        },
        "client": {
            "id": "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a",
            "name": "Anna K",
            "email": "anna@example.org",
            "phone": "+49301234567",
        },
        "price": {"amount": 9000, "currency": "EUR", "display": "€90.00"},
        "hold_expires_at": None,
        "payment": None,
        "refund": None,
        "cancelled_at": None,
        "cancelled_by": None,
        "cancellation_reason": None,
        "completed_at": None,
        "created_at": "2026-12-01T12:00:00Z",
    }


def measure_webhook_drain(n: int = 1000) -> dict:
    """Deliver n queued webhook deliveries in one run; returns the counts and the rate."""
    from django.db import transaction
    from django.test.utils import override_settings
    from huey.contrib.djhuey import HUEY

    from accounts.models import Role, User
    from outbox.models import MessageStatus, OutboxMessage
    from outbox.services import outbox_deliver_due
    from webhooks import services

    process = subprocess.Popen(
        [sys.executable, "-m", "devtools.webhook_receiver", "--port", "0", "--count"],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    receiver_url = process.stdout.readline().strip() + "bench"
    if not receiver_url.startswith("http://"):
        process.kill()
        raise RuntimeError("the receiver process did not start")
    immediate = HUEY.immediate
    secret = ""
    try:
        with override_settings(WEBHOOK_ALLOW_PRIVATE_NETWORKS=True):
            owner = User.objects.create_user(
                email=f"{secrets.token_hex(5)}@bench.example",
                password=None,
                name="Webhook Bench",
                role=Role.PRACTITIONER,
            )
            subscription = services.subscription_create(owner=owner, url=receiver_url)
            secret = subscription.secret
            # Queued, not delivered: the wake-up after commit goes to the job store, and the
            # timed run below does the delivering.
            HUEY.immediate = False
            with transaction.atomic():
                for index in range(n):
                    services.event_publish(
                        type="booking.confirmed",
                        data=_booking_like(index),
                        owner_user_ids=[owner.pk],
                    )
            HUEY.immediate = immediate
            started = time.perf_counter()
            sent = outbox_deliver_due()
            seconds = time.perf_counter() - started
        delivered = OutboxMessage.objects.filter(
            channel="webhook", recipient=str(subscription.pk), status=MessageStatus.SENT
        ).count()
    finally:
        HUEY.immediate = immediate
        output, _ = process.communicate(f"{secret or 'whsec_AAAA'}\n", timeout=120)
        report = json.loads(output)
    rate = delivered / seconds if seconds else 0.0
    return {
        "deliveries": n,
        "sent": sent,
        "delivered": delivered,
        "received": report["received"],
        "verified": report["verified"],
        "seconds": seconds,
        "per_second": rate,
        "goal_per_second": GOAL_PER_SECOND,
        "ratio_to_goal": rate / GOAL_PER_SECOND,
    }


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="deliveries in the run")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    url, cleanup = prepare_database(args.database_url)
    jobs_dir = tempfile.mkdtemp(prefix="stillpoint-bench-jobs-")
    jobs_file = Path(jobs_dir) / "jobs.sqlite3"
    setup_django(
        **in_process_env(url),
        JOBS_URL=f"sqlite:///{jobs_file}",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    try:
        from django.db import connection

        migrate()
        result = measure_webhook_drain(args.n)
        vendor = connection.vendor
    finally:
        cleanup()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{jobs_file}{suffix}").unlink(missing_ok=True)
        os.rmdir(jobs_dir)
    header = ("what", "deliveries", "seconds", "per second", "ratio to 200/s goal")
    cells = (
        f"webhook drain, one run ({vendor})",
        f"{result['delivered']}/{result['deliveries']}",
        f"{result['seconds']:.2f}",
        f"{result['per_second']:.0f}",
        f"{result['ratio_to_goal']:.2f}x",
    )
    widths = [max(len(h), len(c)) for h, c in zip(header, cells, strict=True)]
    print()
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    print("| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |")
    print(
        f"* received {result['received']}, signatures verified {result['verified']} "
        "(standardwebhooks); each delivery logged as an attempt"
    )
    ok = result["delivered"] == result["verified"] == result["deliveries"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
