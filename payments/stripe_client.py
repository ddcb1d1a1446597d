"""The one place that configures the Stripe SDK, and the only module importing `stripe`.

Every Stripe call goes through `get_client()`, which builds a `StripeClient` from
settings (API key, optional API base such as localstripe, no automatic network
retries so a dead provider fails fast and the caller decides). Nothing here
touches the SDK's module-level globals, so tests can point settings elsewhere.

Every request passes a circuit breaker (core.circuit_breaker, state in Django's cache):
after STRIPE_CIRCUIT_FAILURES timeouts or connection errors within
STRIPE_CIRCUIT_WINDOW_SECONDS, requests fail at once with `StripeUnavailable` (an
APIConnectionError, so every caller treats it as the outage it is) for
STRIPE_CIRCUIT_COOLDOWN_SECONDS; then one trial request decides.
"""

import contextlib
from collections.abc import Iterator
from functools import lru_cache

import stripe
from django.conf import settings

from core.circuit_breaker import CircuitBreaker, CircuitOpen

# Any error the SDK raises.
StripeError = stripe.StripeError
# No usable answer (network, Stripe's own failure, rate limit): the outcome is unknown and
# a retry with the same idempotency key is safe. Any other StripeError is a refusal that a
# retry would meet again.
TRANSIENT_ERRORS = (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError)
SignatureError = stripe.SignatureVerificationError


class StripeUnavailable(stripe.APIConnectionError):
    """Not sent: the circuit is open. `retry_after`: seconds until a request may be tried."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(f"Stripe is unavailable (circuit open); retry in {retry_after} s.")


def circuit() -> CircuitBreaker:
    timeout = float(settings.STRIPE_TIMEOUT_SECONDS)
    return CircuitBreaker(
        name="stripe",
        failure_threshold=int(settings.STRIPE_CIRCUIT_FAILURES),
        window_seconds=float(settings.STRIPE_CIRCUIT_WINDOW_SECONDS),
        cooldown_seconds=float(settings.STRIPE_CIRCUIT_COOLDOWN_SECONDS),
        # requests applies the timeout to connecting and to each read.
        trial_timeout_seconds=2 * timeout + 5,
    )


def unavailable_for() -> int | None:
    """Seconds Stripe will still be refused (open circuit), or None if a request may go."""
    return circuit().refusing_for()


def retry_after_of(exc: BaseException) -> int | None:
    """The seconds a StripeUnavailable asks to wait; None for any other error."""
    return exc.retry_after if isinstance(exc, StripeUnavailable) else None


class _GuardedRequestsClient(stripe.RequestsClient):
    """The SDK's requests transport behind the circuit breaker."""

    def request(self, method, url, headers, post_data=None):
        with _guarded():
            return super().request(method, url, headers, post_data)

    def request_stream(self, method, url, headers, post_data=None):
        with _guarded():
            return super().request_stream(method, url, headers, post_data)


@contextlib.contextmanager
def _guarded() -> Iterator[None]:
    """One request under the breaker: an open circuit raises StripeUnavailable; the
    transport's APIConnectionError (timeout, refused or reset connection) counts."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(circuit().call(failures=(stripe.APIConnectionError,)))
        except CircuitOpen as exc:
            raise StripeUnavailable(exc.retry_after) from None
        yield


@lru_cache(maxsize=8)
def _build_client(api_key: str, api_base: str, timeout: float) -> stripe.StripeClient:
    base_addresses = {"api": api_base, "connect": api_base} if api_base else None
    return stripe.StripeClient(
        api_key,
        base_addresses=base_addresses,
        max_network_retries=0,
        http_client=_GuardedRequestsClient(timeout=timeout),
    )


def get_client() -> stripe.StripeClient:
    return _build_client(
        settings.STRIPE_SECRET_KEY,
        settings.STRIPE_API_BASE.rstrip("/"),
        float(settings.STRIPE_TIMEOUT_SECONDS),
    )


def verify_signature(*, payload: str, signature: str) -> None:
    """Verify `Stripe-Signature` (HMAC and timestamp tolerance); SignatureError if not.

    Only the signature: the body is parsed by core.json_strict, which refuses what
    stripe's own json.loads would take (NaN) or crash on (deep nesting).
    """
    stripe.WebhookSignature.verify_header(
        payload, signature, settings.STRIPE_WEBHOOK_SECRET, stripe.Webhook.DEFAULT_TOLERANCE
    )


def connect_enabled() -> bool:
    return bool(settings.STRIPE_CONNECT)


def publishable_key() -> str:
    return settings.STRIPE_PUBLISHABLE_KEY
