"""Load test: gunicorn + PostgreSQL on loopback, concurrent users searching, reading slots and
booking the same few popular slots. Prints requests/s and p50/p95 per endpoint, counts 5xx
(must be 0), then checks in the database that no two active bookings overlap and that every 201
is exactly one booking row (nothing lost, nothing doubled).

    python -m bench.load [--users 20] [--seconds 60] [--practitioners 2000]

Without a PostgreSQL DATABASE_URL it re-runs itself under .ci/with-postgres (a throwaway server).
Throttling is turned off for the server under test: this measures the application, not the limiter.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

from bench.setup import (
    access_token,
    free_port,
    make_client,
    make_practitioner,
    migrate,
    percentile,
    seed_directory,
    setup_django,
)

ROOT = Path(__file__).resolve().parents[1]


def seed_load_data(*, practitioners: int, users: int, seed: int):
    """Migrate, seed the directory, add a few popular free practitioners and the clients."""
    from django.utils import timezone

    print(f"[load] migrating and seeding {practitioners} practitioners ...", flush=True)
    migrate()
    seed_directory(practitioners=practitioners, seed=seed, verbosity=0)

    popular = []
    for n in range(3):
        _, profile, service = make_practitioner(
            f"Popular {n}",
            email=f"popular{n}@load.test",
            price_amount=0,
            duration_minutes=30,
            service_name="Free intro session",
            latitude=52.52 + n / 1000,
            longitude=13.405,
        )
        popular.append((str(profile.pk), str(service.pk)))

    tokens = [access_token(make_client(email=f"client{n}@load.test")) for n in range(users)]
    today = timezone.localdate()
    window = (today + timedelta(days=1), today + timedelta(days=3))
    return popular, tokens, window


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)
        self.statuses = defaultdict(lambda: defaultdict(int))
        self.created_ids = []

    def add(self, endpoint, status, seconds, booking_id=None):
        with self.lock:
            self.latencies[endpoint].append(seconds * 1000)
            self.statuses[endpoint][status] += 1
            if booking_id:
                self.created_ids.append(booking_id)


def request(base, method, path, *, token=None, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    for key, value in (headers or {}).items():
        req.add_header(key, value)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            payload = response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        payload = exc.read()
        status = exc.code
    elapsed = time.perf_counter() - started
    try:
        parsed = json.loads(payload) if payload else None
    except ValueError:
        parsed = None
    return status, parsed, elapsed


CITIES = [(52.52, 13.405), (48.137, 11.575), (51.507, -0.128), (40.713, -74.006), (48.857, 2.352)]


def user_loop(*, base, token, popular, window, deadline, recorder, rng):
    slot_cache = {}
    while time.monotonic() < deadline:
        roll = rng.random()
        if roll < 0.45:
            lat, lng = rng.choice(CITIES)
            radius = rng.choice([10, 25, 100])
            path = f"/api/v1/practitioners/?near={lat},{lng}&radius_km={radius}"
            status, _, elapsed = request(base, "GET", path, token=token)
            recorder.add("search", status, elapsed)
        elif roll < 0.75:
            practitioner, service = rng.choice(popular)
            path = (
                f"/api/v1/practitioners/{practitioner}/slots/?service={service}"
                f"&from={window[0]}&to={window[1]}"
            )
            status, body, elapsed = request(base, "GET", path, token=token)
            recorder.add("slots", status, elapsed)
            if status == 200:
                # The same few popular slots, so that bookings really race.
                slot_cache[service] = [slot["start"] for slot in body["slots"][:4]]
        else:
            practitioner, service = rng.choice(popular)
            starts = slot_cache.get(service)
            if not starts:
                continue
            body = {"service": service, "start": rng.choice(starts)}
            status, response, elapsed = request(
                base,
                "POST",
                "/api/v1/bookings/",
                token=token,
                body=body,
                headers={"Idempotency-Key": f"load-{rng.random()}"},
            )
            recorder.add("book", status, elapsed, response.get("id") if status == 201 else None)


def check_database(recorder):
    from django.db import connection

    from bookings.models import ACTIVE_STATUSES, Booking

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM bookings_booking a JOIN bookings_booking b
              ON a.practitioner_id = b.practitioner_id AND a.id < b.id
             AND a.blocked_start < b.blocked_end AND b.blocked_start < a.blocked_end
             WHERE a.status = ANY(%s) AND b.status = ANY(%s)
            """,
            [list(ACTIVE_STATUSES), list(ACTIVE_STATUSES)],
        )
        overlaps = cursor.fetchone()[0]
    created = set(recorder.created_ids)
    in_db = {
        str(pk)
        for pk in Booking.objects.filter(client__email__endswith="@load.test").values_list(
            "id", flat=True
        )
    }
    return overlaps, len(recorder.created_ids), len(created), len(in_db), created == in_db


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--practitioners", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("[load] starting a throwaway PostgreSQL (.ci/with-postgres)", flush=True)
        cmd = [str(ROOT / ".ci/with-postgres"), sys.executable, "-m", "bench.load", *sys.argv[1:]]
        sys.exit(subprocess.call(cmd, cwd=ROOT))

    os.environ.setdefault("DEBUG", "true")
    setup_django(THROTTLE_RATES="")
    popular, tokens, window = seed_load_data(
        practitioners=args.practitioners, users=args.users, seed=args.seed
    )

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        # Notifications are real work but printing them to a console is not: drop them.
        env={
            **os.environ,
            "LOG_LEVEL": "WARNING",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        },
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not start")
        print(f"[load] {args.users} users for {args.seconds:.0f} s against {base} ...", flush=True)
        recorder = Recorder()
        deadline = time.monotonic() + args.seconds
        started = time.monotonic()
        threads = [
            threading.Thread(
                target=user_loop,
                kwargs={
                    "base": base,
                    "token": tokens[n],
                    "popular": popular,
                    "window": window,
                    "deadline": deadline,
                    "recorder": recorder,
                    "rng": random.Random(args.seed + n),
                },
            )
            for n in range(args.users)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    total = sum(len(v) for v in recorder.latencies.values())
    server_errors = sum(
        count
        for statuses in recorder.statuses.values()
        for status, count in statuses.items()
        if status >= 500
    )
    print()
    print(f"{'endpoint':<10} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8}  statuses")
    for endpoint in ("search", "slots", "book"):
        values = recorder.latencies.get(endpoint, [])
        statuses = ", ".join(f"{s}: {c}" for s, c in sorted(recorder.statuses[endpoint].items()))
        print(
            f"{endpoint:<10} {len(values):>9} {len(values) / wall:>8.1f} "
            f"{percentile(values, 50):>8.1f} {percentile(values, 95):>8.1f}  {statuses}"
        )
    all_values = [v for values in recorder.latencies.values() for v in values]
    print(
        f"{'all':<10} {total:>9} {total / wall:>8.1f} "
        f"{percentile(all_values, 50):>8.1f} {percentile(all_values, 95):>8.1f}"
        f"  5xx: {server_errors}"
    )
    overlaps, answered_201, unique_201, rows, same = check_database(recorder)
    print()
    print(f"overlapping active bookings: {overlaps}")
    print(
        f"201 answers: {answered_201} (unique ids {unique_201}); "
        f"booking rows: {rows}; same set: {same}"
    )
    ok = server_errors == 0 and overlaps == 0 and same and answered_201 == unique_201
    print("RESULT:", "ok" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
