"""Three gunicorn workers count against one limit: without CACHE_URL, production
(DEBUG=false) keeps throttle counters in the database, whose table `migrate` creates."""

import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.ports import free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 6
REQUESTS = 15


@pytest.fixture
def three_workers(tmp_path):
    """gunicorn with 3 workers on production settings and a fresh SQLite file database."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CACHE_URL", "NUM_PROXIES", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DATA_DIR=str(tmp_path),
        DEBUG="false",
        SECRET_KEY="shared-throttle-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        THROTTLE_RATES=f"auth={LIMIT}/min",
        LOG_LEVEL="WARNING",
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    port = free_port()
    access_log = tmp_path / "access.log"
    server_log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            *("-m", "gunicorn", "config.wsgi:application"),
            *("--bind", f"127.0.0.1:{port}", "--workers", "3"),
            # Each line names the worker (process id) that answered.
            *("--access-logfile", str(access_log), "--access-logformat", "%(p)s %(s)s"),
        ],
        cwd=ROOT,
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/healthz", "gunicorn", seconds=60)
        yield base, access_log, tmp_path / "stillpoint.sqlite3"
    finally:
        server.terminate()
        server.wait(timeout=30)
        server_log.close()


def _answered_by(access_log: Path, *, count: int) -> list[tuple[str, int]]:
    """(worker, status) of each login in order; a worker logs just after it answers."""
    deadline = time.monotonic() + 10
    while True:
        answered = [
            (worker, int(status))
            for worker, status in re.findall(r"<(\d+)> (\d+)", access_log.read_text())
            if int(status) in (401, 429)
        ]
        if len(answered) >= count or time.monotonic() > deadline:
            return answered
        time.sleep(0.1)


def test_three_workers_share_one_limit(three_workers):
    base, access_log, database = three_workers
    with sqlite3.connect(database) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert "stillpoint_cache" in tables  # made by migrate

    responses = [
        # A different account each time: the lockout stays out of it, the throttle decides.
        requests.post(
            f"{base}/api/v1/auth/token/",
            json={"email": f"nobody{n}@example.org", "password": "wrong"},
            timeout=30,
        )
        for n in range(REQUESTS)
    ]
    assert [r.status_code for r in responses] == [401] * LIMIT + [429] * (REQUESTS - LIMIT)
    assert {r.json()["code"] for r in responses[LIMIT:]} == {"throttled"}

    answered = _answered_by(access_log, count=REQUESTS)
    assert [status for _, status in answered] == [r.status_code for r in responses]
    assert len({worker for worker, _ in answered}) >= 2
    # The proof that the count is shared: a worker refused a request although it had let
    # through fewer than LIMIT itself (a per-process count would have let it pass).
    assert any(
        status == 429 and sum(1 for w, s in answered[:i] if w == worker and s == 401) < LIMIT
        for i, (worker, status) in enumerate(answered)
    )
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT COUNT(*) FROM stillpoint_cache").fetchone()[0] >= 1
