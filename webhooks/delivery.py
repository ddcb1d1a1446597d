"""The "webhook" channel of the outbox: one signed HTTP POST per delivery.

Each attempt resolves the subscription's host, checks every address (SSRF, see
`webhooks.addresses`) and connects to a checked address itself: the URL's host name
stays in the Host header, the TLS server name (SNI) and the certificate check, but no
second DNS lookup can send the request elsewhere. 5 s to connect and answer; redirects
are not followed; only the first kilobyte of the answer is read and logged.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import datetime

import certifi
import urllib3
from django.conf import settings
from django.utils import timezone
from urllib3.exceptions import HTTPError, NewConnectionError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from core.errors import ApplicationError
from outbox import channels
from outbox.errors import DeliveryFailed, DeliveryRejected
from outbox.models import OutboxMessage
from webhooks import addresses, signing
from webhooks.attempts import (
    RESPONSE_BODY_BYTES,
    HttpResult,
    Verdict,
    attempt_record,
    attempts_save,
    retry_delay_seconds,
)
from webhooks.models import WebhookSubscription
from webhooks.selectors import CHANNEL

USER_AGENT = "Stillpoint-Webhooks/1.0"
# A run stops trying new endpoints after this share of the outbox's claim on its batch,
# so slow endpoints cannot keep a batch past its lease (another worker would send it too).
RUN_SHARE_OF_LEASE = 1 / 3


class PinnedPools:
    """Connection pools by (scheme, address, port, host name), reused within one run."""

    def __init__(self):
        self._pools: dict[tuple, urllib3.HTTPConnectionPool] = {}

    def _pool(self, target: addresses.Target, address: str) -> urllib3.HTTPConnectionPool:
        key = (target.scheme, address, target.port, target.host)
        pool = self._pools.get(key)
        if pool is None:
            common = {
                "timeout": urllib3.Timeout(total=settings.WEBHOOK_TIMEOUT_SECONDS),
                "retries": False,
                "maxsize": 1,
            }
            if target.scheme == "https":
                pool = urllib3.HTTPSConnectionPool(
                    address,
                    target.port,
                    cert_reqs="CERT_REQUIRED",
                    ca_certs=settings.WEBHOOK_CA_BUNDLE or certifi.where(),
                    server_hostname=target.host,
                    assert_hostname=target.host,
                    **common,
                )
            else:
                pool = urllib3.HTTPConnectionPool(address, target.port, **common)
            self._pools[key] = pool
        return pool

    def post(
        self, target: addresses.Target, candidates: list[str], body: bytes, headers: dict
    ) -> HttpResult:
        """POST to the first candidate address that takes the connection."""
        started = time.perf_counter()

        def elapsed_ms() -> int:
            return int((time.perf_counter() - started) * 1000)

        error = "no address"
        for address in candidates:
            try:
                response = self._pool(target, address).urlopen(
                    "POST",
                    target.path,
                    body=body,
                    headers={**headers, "Host": target.host_header},
                    redirect=False,
                    assert_same_host=False,
                    preload_content=False,
                    retries=False,
                )
                start_of_body = response.read(RESPONSE_BODY_BYTES + 1)
            except NewConnectionError as exc:  # refused or unreachable: try the next address
                error = f"connection failed to {address}: {exc}"
                continue
            except Urllib3Timeout:
                return HttpResult(
                    error=f"timed out after {settings.WEBHOOK_TIMEOUT_SECONDS:g} s",
                    duration_ms=elapsed_ms(),
                    unreachable=True,
                )
            except (HTTPError, OSError) as exc:  # TLS failure, connection dropped, bad answer
                return HttpResult(error=f"{type(exc).__name__}: {exc}", duration_ms=elapsed_ms())
            if len(start_of_body) <= RESPONSE_BODY_BYTES:
                response.release_conn()  # read to the end: the connection can serve again
            else:
                response.close()  # the rest is not worth reading
            return HttpResult(
                status_code=response.status,
                body=start_of_body[:RESPONSE_BODY_BYTES].decode("utf-8", "replace"),
                duration_ms=elapsed_ms(),
            )
        return HttpResult(error=error[:500], duration_ms=elapsed_ms(), unreachable=True)

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()


class _DeliveryRun:
    """One batch of the outbox: subscriptions, resolved hosts and pools shared by it."""

    def __init__(self):
        self.pools = PinnedPools()
        self._subscriptions: dict[str, WebhookSubscription | None] = {}
        self._unreachable: dict = {}
        self.attempts: list = []
        self._deadline = time.monotonic() + settings.OUTBOX_CLAIM_SECONDS * RUN_SHARE_OF_LEASE

    def _subscription(self, subscription_id: str) -> WebhookSubscription | None:
        if subscription_id not in self._subscriptions:
            self._subscriptions[subscription_id] = (
                WebhookSubscription.objects.select_related("owner")
                .filter(pk=subscription_id)
                .first()
            )
        return self._subscriptions[subscription_id]

    def send(self, message: OutboxMessage) -> None:
        payload = message.payload
        subscription = self._subscription(payload["subscription_id"])
        if subscription is None:
            raise DeliveryRejected("the subscription was deleted")
        if not subscription.is_active:
            raise DeliveryRejected(f"the subscription is disabled ({subscription.disabled_reason})")
        delay = retry_delay_seconds(message.attempts)
        if subscription.pk in self._unreachable:
            raise DeliveryFailed(
                f"not tried: {self._unreachable[subscription.pk]} earlier in this run",
                retry_after_seconds=delay,
            )
        if time.monotonic() > self._deadline:
            raise DeliveryFailed("not tried: the delivery run's time is up", retry_after_seconds=0)
        at = timezone.now()
        result = self._attempt(subscription, message, at)
        verdict, reason = attempt_record(
            message=message, subscription=subscription, result=result, at=at, log=self.attempts
        )
        if verdict == Verdict.DELIVERED:
            return
        if verdict == Verdict.GIVE_UP:
            raise DeliveryRejected(reason)
        if result.unreachable:
            self._unreachable[subscription.pk] = result.error
        raise DeliveryFailed(reason, retry_after_seconds=delay)

    def _attempt(
        self, subscription: WebhookSubscription, message: OutboxMessage, at: datetime
    ) -> HttpResult:
        try:
            target, candidates = addresses.delivery_target(subscription.url)
        except ApplicationError as exc:
            return HttpResult(error=f"not sent: {exc.code}: {exc.message}")
        payload = message.payload
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            **signing.signature_headers(
                secret=subscription.secret,
                webhook_id=payload.get("webhook_id") or str(message.pk),
                body=payload["body"],
                at=at,
            ),
        }
        return self.pools.post(target, candidates, payload["body"].encode(), headers)


class WebhookChannel:
    @contextmanager
    def open(self):
        run = _DeliveryRun()
        try:
            yield run.send
        finally:
            run.pools.close()
            attempts_save(run.attempts)


def register() -> None:
    channels.register(CHANNEL, WebhookChannel())
