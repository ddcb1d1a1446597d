"""Three gunicorn workers count against one limit: without CACHE_URL, production
(DEBUG=false) keeps throttle counters in the database, whose table `migrate` creates."""

import http.client
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.ports import free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 3
LIMIT = 6
LOGIN = "/api/v1/auth/token/"


@pytest.fixture
def three_workers(tmp_path):
    """gunicorn with 3 booted workers on production settings and a fresh SQLite file database."""
    booted = tmp_path / "booted"
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
        # Per hour, so that a slow run does not see the first logins leave the window.
        THROTTLE_RATES=f"auth={LIMIT}/hour",
        LOG_LEVEL="WARNING",
        BOOTED_WORKERS_FILE=str(booted),
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
            *("-c", str(Path(__file__).with_name("gunicorn_booted.py"))),
            *("--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)),
            # A sync worker serves one connection at a time: one kept waiting for its
            # request holds that worker, and the next connection goes to another.
            *("--worker-class", "sync"),
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
        # Under load a worker can take many seconds longer than another to load the app.
        deadline = time.monotonic() + 120
        while not (booted.exists() and len(booted.read_text().split()) >= WORKERS):
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            assert time.monotonic() < deadline, "gunicorn's workers did not all boot"
            time.sleep(0.2)
        wait_for(f"{base}/healthz", "gunicorn", seconds=60)
        yield base, access_log, tmp_path / "stillpoint.sqlite3"
    finally:
        server.terminate()
        server.wait(timeout=30)
        server_log.close()


def _connect(base: str) -> http.client.HTTPConnection:
    """An open connection: the worker that accepts it waits for its request."""
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    connection.connect()
    return connection


def _login(connection: http.client.HTTPConnection, n: int) -> tuple[int, bytes]:
    # A different account each time: the lockout stays out of it, the throttle decides.
    body = json.dumps({"email": f"nobody{n}@example.org", "password": "wrong"})
    connection.request("POST", LOGIN, body=body, headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    return response.status, response.read()


def _answering_worker(access_log: Path, *, answers: int) -> str:
    """The worker that logged login answer number `answers`. A worker logs just after it
    has sent the answer: wait for the line before sending the next login, or lines of
    two workers can come out in the other order."""
    deadline = time.monotonic() + 60
    while True:
        workers = [
            worker
            for worker, status in re.findall(r"<(\d+)> (\d+)", access_log.read_text())
            if status in ("401", "429")
        ]
        if len(workers) >= answers:
            return workers[answers - 1]
        assert time.monotonic() < deadline, f"{answers - len(workers)} login(s) not logged"
        time.sleep(0.05)


def test_three_workers_share_one_limit(three_workers):
    base, access_log, database = three_workers
    with sqlite3.connect(database) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert "stillpoint_cache" in tables  # made by migrate

    answers: list[tuple[str, int, str]] = []  # (worker, status, error code) in the order sent

    def answered(status: int, body: bytes) -> None:
        worker = _answering_worker(access_log, answers=len(answers) + 1)
        answers.append((worker, status, json.loads(body).get("code")))

    for n in range(LIMIT + 1):
        with closing(_connect(base)) as connection:
            answered(*_login(connection, n))
    # Two more logins answered by two different workers, so that at least one of them has
    # let through fewer than LIMIT itself: one worker waits on the first connection while
    # another answers the second, then the first connection sends its login.
    with closing(_connect(base)) as waiting:
        with closing(_connect(base)) as other:
            answered(*_login(other, LIMIT + 1))
        answered(*_login(waiting, LIMIT + 2))

    assert [status for _, status, _ in answers] == [401] * LIMIT + [429] * 3
    assert {code for _, status, code in answers if status == 429} == {"throttled"}
    assert answers[-1][0] != answers[-2][0]
    # The proof that the count is shared: a worker refused a request although it had let
    # through fewer than LIMIT itself (a per-process count would have let it pass).
    assert any(
        status == 429 and sum(1 for w, s, _ in answers[:i] if w == worker and s == 401) < LIMIT
        for i, (worker, status, _) in enumerate(answers)
    )
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT COUNT(*) FROM stillpoint_cache").fetchone()[0] >= 1
