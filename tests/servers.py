"""Helpers for tests that start real servers (gunicorn, localstripe) on loopback."""

import socket
import time
import urllib.error
import urllib.request


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, what: str, seconds: float = 30) -> None:
    """Return once `url` answers at all (any HTTP status); raise if it does not in time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except urllib.error.HTTPError:
            return  # it answers, if only to say 401
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not start at {url}")
