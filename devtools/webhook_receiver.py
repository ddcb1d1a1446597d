"""A webhook receiver on 127.0.0.1: for trying webhooks locally, for tests and benchmarks.

    python -m devtools.webhook_receiver --port 8430 --secret whsec_...

prints each event it receives after checking its signature with the `standardwebhooks`
library (subscribe `http://127.0.0.1:8430/` while DEBUG=true allows private networks).
In code, `Receiver().start()` serves in a thread and records every request (path,
headers, body and, over TLS, the server name the client asked for), answering with the
statuses queued in `statuses`, then `default_status`.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    server_name: str | None = None


@dataclass
class Receiver:
    statuses: deque = field(default_factory=deque)
    default_status: int = 200
    answer_body: bytes = b"ok"
    delay_seconds: float = 0.0
    received: list[Received] = field(default_factory=list)
    server_names: list[str | None] = field(default_factory=list)

    def start(self, *, tls: ssl.SSLContext | None = None, port: int = 0) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real receivers do
            disable_nagle_algorithm = True  # the answer in one segment, no delayed ACK

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                server_name = receiver.server_names[-1] if receiver.server_names else None
                receiver.received.append(
                    Received(
                        path=self.path,
                        headers={k.lower(): v for k, v in self.headers.items()},
                        body=body,
                        server_name=server_name,
                    )
                )
                if receiver.delay_seconds:
                    time.sleep(receiver.delay_seconds)
                status = receiver.statuses.popleft() if receiver.statuses else None
                self.send_response(status or receiver.default_status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(receiver.answer_body)))
                self.end_headers()
                self.wfile.write(receiver.answer_body)

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.tls = tls is not None
        if tls is not None:
            tls.sni_callback = lambda sock, name, context: self.server_names.append(name)
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        return self

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str = "/hook", *, host: str = "127.0.0.1") -> str:
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}{path}"

    def at(self, path: str) -> list[Received]:
        return [request for request in self.received if request.path == path]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def main(argv=None) -> None:
    import argparse
    import json
    import sys

    from standardwebhooks import Webhook
    from standardwebhooks.webhooks import WebhookVerificationError

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8430)
    parser.add_argument("--secret", help="the subscription's whsec_... secret")
    parser.add_argument(
        "--count",
        action="store_true",
        help="for benchmarks: print the URL, serve until a secret arrives on stdin, then "
        'print {"received": n, "verified": n} and stop',
    )
    args = parser.parse_args(argv)
    receiver = Receiver()
    receiver.start(port=args.port)
    if args.count:
        print(receiver.url("/"), flush=True)
        checker = Webhook(sys.stdin.readline().strip())
        receiver.stop()
        verified = 0
        for request in receiver.received:
            try:
                checker.verify(request.body, request.headers)
            except WebhookVerificationError:
                continue
            verified += 1
        print(json.dumps({"received": len(receiver.received), "verified": verified}))
        return
    print(f"receiving on {receiver.url('/')}; Ctrl-C stops", flush=True)
    shown = 0
    try:
        while True:
            time.sleep(0.2)
            for request in receiver.received[shown:]:
                shown += 1
                verdict = "signature not checked (no --secret)"
                if args.secret:
                    try:
                        Webhook(args.secret).verify(request.body, request.headers)
                        verdict = "signature ok"
                    except WebhookVerificationError as exc:
                        verdict = f"BAD SIGNATURE: {exc}"
                print(f"{request.path} webhook-id {request.headers.get('webhook-id')}: {verdict}")
                print(json.dumps(json.loads(request.body or b"null"), indent=2), flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        receiver.stop()


if __name__ == "__main__":
    main()
