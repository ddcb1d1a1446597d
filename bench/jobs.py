"""Job engine and outbox benchmarks: requests never wait on mail, and how fast a worker drains.

    python -m bench.jobs [--requests 200] [--emails 10000] [--database-url URL]
    .ci/with-postgres .venv/bin/python -m bench.jobs

Runs against a throwaway database (a temporary SQLite file, or a new database on the
PostgreSQL server of --database-url / DATABASE_URL, dropped afterwards) and prints one
table; every row carries a ratio to a baseline or goal measured in the same run:

* requests: booking a free session and cancelling it over HTTP against the production-like
  server (gunicorn, DEBUG=false) with a real job consumer beside it, one client after the
  other, once with a working SMTP server (aiosmtpd, in its own process), once with SMTP down
  (a closed port) and once with SMTP hanging (accepts, never answers; EMAIL_TIMEOUT 10 s),
  in rounds of turned order. p50/p95 against SMTP up; the goal is within 20 %.
* drain: one consumer (`run_huey`) delivering --emails queued e-mails (locmem backend) on
  SQLite and on Redis job storage (a throwaway redis-server): messages per second against
  the goal of 500/s; and bench.webhooks' row: --webhooks deliveries to a local receiver in
  one delivery run, against its goal of 200/s.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

from bench.load import request
from bench.setup import (
    access_token,
    free_port,
    in_process_env,
    make_client,
    make_practitioner,
    migrate,
    percentile,
    prepare_database,
    setup_django,
)
from devtools.job_consumer import JobConsumer, in_process_huey
from devtools.mail_servers import HangingServer
from devtools.redis_server import throwaway_redis

ROOT = Path(__file__).resolve().parents[1]
LATENCY_GOAL = 1.20  # SMTP down or hanging: p50 within 20 % of SMTP up
DRAIN_GOAL = 500.0  # e-mails per second, one consumer
SMTP_TIMEOUT = 10
WARMUP = 10
# A booking e-mail's size: a short text and a calendar attachment of about a kilobyte.
ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + b"X-FILLER:" + b"x" * 900 + b"\r\nEND:VCALENDAR\r\n"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--requests", type=int, default=200, help="bookings (and cancels) a mode")
    parser.add_argument("--emails", type=int, default=10_000, help="queued e-mails to drain")
    parser.add_argument("--webhooks", type=int, default=1000, help="webhook deliveries to drain")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the three modes")
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    return parser.parse_args(argv)


def log(message: str) -> None:
    print(f"bench.jobs: {message}", file=sys.stderr, flush=True)


def main(argv=None) -> int:
    args = parse_args(argv)
    url, cleanup = prepare_database(args.database_url)
    workdir = Path(tempfile.mkdtemp(prefix="stillpoint-bench-jobs-"))
    setup_django(
        **in_process_env(url),
        DATA_DIR=str(workdir),
        JOBS_URL=f"sqlite:///{workdir / 'jobs.sqlite3'}",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    try:
        return run(args, url=url, workdir=workdir)
    finally:
        cleanup()


def app_env(*, url: str, workdir: Path, jobs_url: str, **extra: str) -> dict[str, str]:
    """What the server and its consumer share: the database, the queue, the mail settings."""
    return {
        "DATABASE_URL": url,
        "DATA_DIR": str(workdir),
        "JOBS_URL": jobs_url,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "THROTTLE_RATES": "",
        "LOG_LEVEL": "WARNING",
        "STRIPE_API_BASE": "http://127.0.0.1:9",
        **extra,
    }


def start_gunicorn(env: dict[str, str], *, workers: int, log_path: Path):
    port = free_port()
    with log_path.open("ab") as log_file:
        server = subprocess.Popen(
            [
                sys.executable,
                *("-m", "gunicorn", "config.wsgi:application"),
                *("--bind", f"127.0.0.1:{port}", "--workers", str(workers)),
                *("--log-level", "warning"),
            ],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1).read()
            return server, base
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start:\n" + log_path.read_text()[-3000:])


def stop(server) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def bookable_starts(count: int) -> tuple[str, list[str]]:
    """A free 30-minute service open around the clock, and `count` distinct starts."""
    from django.utils import timezone

    from bookings.availability import practitioner_slots

    _, profile, service = make_practitioner(
        "Jobs Bench", hours=(0, 24), price_amount=0, duration_minutes=30
    )
    today = timezone.localdate()
    starts = []
    day = today + timedelta(days=1)
    while len(starts) < count:
        slots = practitioner_slots(
            practitioner=profile, service=service, date_from=day, date_to=day
        )
        starts += [slot.start.isoformat() for slot in slots]
        day += timedelta(days=1)
    return str(service.pk), starts[:count]


def book_and_cancel(base: str, token: str, service: str, starts: list[str]):
    booking_ms, cancel_ms, errors = [], [], 0
    for start in starts:
        status, body, elapsed = request(
            base,
            "POST",
            "/api/v1/bookings/",
            token=token,
            body={"service": service, "start": start},
        )
        if status != 201:
            errors += 1
            continue
        booking_ms.append(elapsed * 1000)
        status, _, elapsed = request(
            base, "POST", f"/api/v1/bookings/{body['id']}/cancel/", token=token
        )
        if status != 200:
            errors += 1
            continue
        cancel_ms.append(elapsed * 1000)
    return booking_ms, cancel_ms, errors


MODES = ("SMTP up", "SMTP down", "SMTP hanging")


def smtp_sink_process(stack: ExitStack) -> int:
    """A real SMTP server in a process of its own, so that its work does not slow this one
    (which measures); stopped with the stack."""
    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, "-m", "devtools.mail_servers", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    stack.callback(stop, sink)
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return port
        except OSError:
            if sink.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the SMTP sink did not start") from None
            time.sleep(0.1)


def mail_server_for(mode: str, stack: ExitStack) -> int:
    """The SMTP port of `mode`: a real server, a closed port, or one that never answers."""
    if mode == "SMTP up":
        return smtp_sink_process(stack)
    if mode == "SMTP down":
        return free_port()  # nothing listens there: connections are refused
    return stack.enter_context(HangingServer()).port


def measure_mode(args, mode: str, count: int, *, url: str, workdir: Path, run: int):
    """A fresh server and consumer for `mode`; `count` bookings, each cancelled at once."""
    from outbox.models import MessageStatus, OutboxMessage

    with ExitStack() as stack:
        smtp_port = mail_server_for(mode, stack)
        name = f"{mode.split()[1]}-{run}"
        env = app_env(
            url=url,
            workdir=workdir,
            jobs_url=f"sqlite:///{workdir / f'jobs-{name}.sqlite3'}",
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp_port),
            EMAIL_TIMEOUT=str(SMTP_TIMEOUT),
        )
        OutboxMessage.objects.all().delete()
        service, starts = bookable_starts(WARMUP + count)
        token = access_token(make_client())
        stack.enter_context(
            JobConsumer(env=env, log_path=workdir / f"consumer-{name}.log", workers=4)
        )
        server, base = start_gunicorn(
            env, workers=args.gunicorn_workers, log_path=workdir / f"gunicorn-{name}.log"
        )
        stack.callback(stop, server)
        book_and_cancel(base, token, service, starts[:WARMUP])
        log(f"requests: {mode}: {count} bookings and cancels ...")
        booking_ms, cancel_ms, errors = book_and_cancel(base, token, service, starts[WARMUP:])
        # Reminders are written too, and withdrawn as their booking is cancelled.
        emails = OutboxMessage.objects.filter(channel="email").exclude(
            status=MessageStatus.CANCELLED
        )
        sent = emails.filter(status=MessageStatus.SENT).count()
        return booking_ms, cancel_ms, errors, sent, emails.count()


def bench_requests(args, rows, *, url: str, workdir: Path) -> None:
    # Rounds in turned order, so that a machine getting busier or quieter during the run
    # does not favour one mode.
    results = {mode: [[], [], 0, 0, 0] for mode in MODES}
    per_round = max(1, args.requests // args.rounds)
    for run in range(args.rounds):
        for mode in MODES[run % 3 :] + MODES[: run % 3]:
            measured = measure_mode(args, mode, per_round, url=url, workdir=workdir, run=run)
            for index, value in enumerate(measured):
                results[mode][index] += value
    for op, index in (("book", 0), ("cancel", 1)):
        base = statistics.median(results["SMTP up"][index])
        for mode in MODES:
            values, errors, sent, total = results[mode][index], *results[mode][2:]
            p50 = statistics.median(values)
            verdict = "ok" if p50 / base <= LATENCY_GOAL else "over goal"
            rows.append(
                (
                    "requests",
                    f"{op}, {mode}",
                    f"{len(values)} ok, {errors} failed; {sent} of {total} e-mails sent",
                    f"{p50:.1f}",
                    f"{percentile(values, 95):.1f}",
                    f"{p50 / base:.2f}x of SMTP up ({verdict})",
                )
            )


def queue_emails(count: int) -> None:
    """`count` booking-sized e-mails written in one transaction: one wake-up after commit."""
    from django.db import transaction

    from outbox.email import email_enqueue

    with transaction.atomic(durable=True):
        for n in range(count):
            email_enqueue(
                to=f"client{n}@bench.example",
                subject=f"Booking confirmed: Session on 2026-03-{n % 28 + 1:02d} 10:00 UTC",
                body="Session with Jobs Bench\n2026-03-01 10:00 - 11:00 UTC\nStatus: confirmed\n",
                attachments=(("booking.ics", ICS, "text/calendar; method=REQUEST; charset=utf-8"),),
            )


def drain_rate(*, jobs_url: str, url: str, workdir: Path, emails: int, label: str) -> float:
    """One consumer delivers `emails` queued e-mails: e-mails per second, commit to last sent."""
    from outbox.models import MessageStatus, OutboxMessage

    OutboxMessage.objects.all().delete()
    env = app_env(
        url=url,
        workdir=workdir,
        jobs_url=jobs_url,
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    with (
        JobConsumer(env=env, log_path=workdir / f"drain-{label}.log", workers=4) as consumer,
        in_process_huey(jobs_url),
    ):
        log(f"drain: {label}: queueing {emails} e-mails")
        queue_emails(emails)  # one wake-up, enqueued as the transaction commits
        started = time.monotonic()
        sent = OutboxMessage.objects.filter(status=MessageStatus.SENT)
        deadline = time.monotonic() + 600
        while sent.count() < emails:
            if time.monotonic() > deadline or not consumer.running:
                raise SystemExit(f"drain did not finish:\n{consumer.log_text()[-3000:]}")
            time.sleep(0.02)
        elapsed = time.monotonic() - started
    rate = emails / elapsed
    log(f"drain: {label}: {emails} in {elapsed:.1f} s, {rate:.0f}/s")
    return rate


def bench_email_drain(args, rows, *, url: str, workdir: Path) -> None:
    with throwaway_redis() as redis_url:
        for label, jobs_url in (
            ("SQLite queue", f"sqlite:///{workdir / 'jobs-drain.sqlite3'}"),
            ("Redis queue", f"{redis_url}/0"),
        ):
            rate = drain_rate(
                jobs_url=jobs_url, url=url, workdir=workdir, emails=args.emails, label=label
            )
            rows.append(
                (
                    "drain",
                    f"e-mail, {label}",
                    f"{args.emails} queued, locmem backend, 1 consumer",
                    "",
                    f"{rate:.0f}/s",
                    f"{rate / DRAIN_GOAL:.2f}x of goal {DRAIN_GOAL:.0f}/s",
                )
            )


def bench_webhook_drain(args, rows, *, url: str, workdir: Path) -> None:
    """The webhook channel's row: bench.webhooks delivers --webhooks queued deliveries to a
    local receiver in one run (no consumer may be running), against its goal of 200/s."""
    from bench.webhooks import measure_webhook_drain
    from outbox.models import OutboxMessage

    if not args.webhooks:
        return
    OutboxMessage.objects.all().delete()
    log(f"drain: webhooks: {args.webhooks} deliveries")
    result = measure_webhook_drain(args.webhooks)
    rows.append(
        (
            "drain",
            "webhook, one run",
            f"{result['delivered']} of {result['deliveries']} delivered, "
            f"{result['verified']} verified",
            "",
            f"{result['per_second']:.0f}/s",
            f"{result['ratio_to_goal']:.2f}x of goal {result['goal_per_second']:.0f}/s",
        )
    )


def run(args, *, url: str, workdir: Path) -> int:
    from django.db import connection

    vendor = connection.vendor
    log(f"{vendor}; migrating")
    migrate()
    rows: list[tuple] = []
    bench_requests(args, rows, url=url, workdir=workdir)
    bench_email_drain(args, rows, url=url, workdir=workdir)
    bench_webhook_drain(args, rows, url=url, workdir=workdir)

    header = ("part", "what", "setup", "p50 ms", "p95 ms / rate", "ratio")
    widths = (8, 24, 44, 7, 13, 30)
    print()
    print(
        f"bench.jobs on {vendor}: gunicorn ({args.gunicorn_workers} workers, DEBUG=false) "
        f"and one run_huey consumer; free sessions booked and cancelled one after the other"
    )
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
