"""Loopback mail servers for the job-engine tests and `bench.jobs`.

`SmtpSink` is a real SMTP server (aiosmtpd, in a thread) that keeps what it receives;
`HangingServer` accepts connections and never says a word, as a stuck mail server does.
A stopped server is simply a closed port (`tests.ports.closed_port`).
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import logging
import socket
import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class ReceivedMail:
    envelope_from: str
    envelope_to: tuple[str, ...]
    message: email.message.EmailMessage

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"]


class SmtpSink:
    """An SMTP server on 127.0.0.1:`port` that stores every message it accepts."""

    def __init__(self, port: int):
        self.port = port
        self._received: list[ReceivedMail] = []
        self._lock = threading.Lock()
        self._controller = None

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        mail = ReceivedMail(
            envelope_from=envelope.mail_from,
            envelope_to=tuple(envelope.rcpt_tos),
            message=email.message_from_bytes(envelope.content, policy=email.policy.default),
        )
        with self._lock:
            self._received.append(mail)
        return "250 Message accepted for delivery"

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        # aiosmtpd logs every SMTP command at INFO.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def received(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self._received)

    def wait_for(self, count: int, *, timeout: float) -> list[ReceivedMail]:
        """What has arrived once there are `count` messages, or when `timeout` has passed."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.received

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class HangingServer:
    """Accepts TCP connections on 127.0.0.1 and never answers: no banner, no reply."""

    def __init__(self, port: int = 0):
        self._listener = socket.create_server(("127.0.0.1", port))
        self.port = self._listener.getsockname()[1]
        self._accepted: list[socket.socket] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept_forever, daemon=True)
        self._thread.start()

    def _accept_forever(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:  # closed
                return
            with self._lock:
                self._accepted.append(conn)

    @property
    def connections(self) -> int:
        with self._lock:
            return len(self._accepted)

    def wait_for_connection(self, *, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not self.connections and time.monotonic() < deadline:
            time.sleep(0.02)
        return bool(self.connections)

    def close(self) -> None:
        # shutdown() wakes the thread blocked in accept(); close() alone may not.
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._thread.join(timeout=5)
        with self._lock:
            for conn in self._accepted:
                conn.close()
            self._accepted.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def main(argv=None) -> None:
    """`python -m devtools.mail_servers --port N`: an SmtpSink in its own process, until
    SIGTERM or SIGINT (a benchmark's mail server, kept off the measuring process's CPU)."""
    import argparse
    import signal

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    with SmtpSink(args.port):
        print(f"SMTP sink on 127.0.0.1:{args.port}", flush=True)
        stopped.wait()


if __name__ == "__main__":
    main()
