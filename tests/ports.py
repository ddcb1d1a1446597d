"""Loopback ports for the real servers tests start (and for ones they must not find)."""

import socket
import time
import urllib.error
import urllib.request


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on right now (a server may bind it next)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def closed_port() -> int:
    """A port where a connection is refused: what a stopped server looks like."""
    return free_port()


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
