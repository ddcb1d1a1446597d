"""The one place that configures the Stripe SDK, and the only module importing `stripe`.

Every Stripe call goes through `get_client()`, which builds a `StripeClient` from
settings (API key, optional API base such as localstripe, no automatic network
retries so a dead provider fails fast and the caller decides). Nothing here
touches the SDK's module-level globals, so tests can point settings elsewhere.
"""

from functools import lru_cache

import stripe
from django.conf import settings

# Seconds to wait for Stripe; a booking request must not hang on a dead provider.
STRIPE_TIMEOUT_SECONDS = 20

# Any error the SDK raises.
StripeError = stripe.StripeError
# No usable answer (network, Stripe's own failure, rate limit): the outcome is unknown and
# a retry with the same idempotency key is safe. Any other StripeError is a refusal that a
# retry would meet again.
TRANSIENT_ERRORS = (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError)
SignatureError = stripe.SignatureVerificationError


@lru_cache(maxsize=8)
def _build_client(api_key: str, api_base: str) -> stripe.StripeClient:
    base_addresses = {"api": api_base, "connect": api_base} if api_base else None
    return stripe.StripeClient(
        api_key,
        base_addresses=base_addresses,
        max_network_retries=0,
        http_client=stripe.RequestsClient(timeout=STRIPE_TIMEOUT_SECONDS),
    )


def get_client() -> stripe.StripeClient:
    return _build_client(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE.rstrip("/"))


def construct_event(*, payload: bytes, signature: str) -> stripe.Event:
    """Verify `Stripe-Signature` (HMAC and timestamp tolerance) and parse the event."""
    return stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)


def connect_enabled() -> bool:
    return bool(settings.STRIPE_CONNECT)


def publishable_key() -> str:
    return settings.STRIPE_PUBLISHABLE_KEY
