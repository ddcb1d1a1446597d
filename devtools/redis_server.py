"""A throwaway redis-server on loopback, for the job-engine tests and `bench.jobs`.

Debian's `redis-server` (installed by `.ci/ensure-redis`, which `make test` runs) on a free
127.0.0.1 port, with nothing persisted (`--save '' --appendonly no`) and its working
directory in a temporary folder that is removed with the server.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

BINARY = "/usr/bin/redis-server"


class RedisServerMissing(RuntimeError):
    pass


def binary() -> str:
    found = shutil.which("redis-server") or (BINARY if Path(BINARY).exists() else None)
    if not found:
        raise RedisServerMissing(
            "redis-server is not installed: run .ci/ensure-redis (make test does), "
            "which installs Debian's redis-server package"
        )
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def throwaway_redis(*, start_timeout: float = 10.0):
    """Yields the server's URL (`redis://127.0.0.1:<port>`, no database number)."""
    directory = Path(tempfile.mkdtemp(prefix="stillpoint-redis-"))
    port = _free_port()
    log = (directory / "server.log").open("wb")
    proc = subprocess.Popen(
        [
            binary(),
            *("--port", str(port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no"),
            *("--dir", str(directory), "--daemonize", "no"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + start_timeout
        while not _answers_ping(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "redis-server did not start: " + (directory / "server.log").read_text()
                )
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        shutil.rmtree(directory, ignore_errors=True)
