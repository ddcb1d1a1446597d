"""Standard Webhooks signatures (https://www.standardwebhooks.com/), made with the
`standardwebhooks` library: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed
with the base64-decoded part of the `whsec_` secret."""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def signature_headers(*, secret: str, webhook_id: str, body: str, at: datetime) -> dict:
    """The three headers of one attempt; `at` is the attempt's time (whole seconds)."""
    at = at.astimezone(UTC).replace(microsecond=0)
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(webhook_id, at, body),
    }
