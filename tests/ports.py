"""Loopback ports for the real servers tests start (and for ones they must not find)."""

import socket


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on right now (a server may bind it next)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def closed_port() -> int:
    """A port where a connection is refused: what a stopped server looks like."""
    return free_port()
