"""The SMS channel: `sms_enqueue` writes a text message, the sender hands it to the
backend `SMS_BACKEND` names.

- `console` (the default): the text goes to the log, nothing leaves the machine;
- `twilio`: Twilio's Messages API over HTTPS (`TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN`,
  `TWILIO_FROM`), one HTTP session per batch;
- `none`: no SMS is written (`sms_enabled()` is false); rows written before are retried
  until a backend is configured again or they fail.

Numbers are checked with `phonenumbers` when a message is written: only valid
international numbers, stored in E.164.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager

import phonenumbers
import requests
from django.conf import settings

from outbox import channels
from outbox.errors import DeliveryFailed, DeliveryRejected
from outbox.models import OutboxMessage
from outbox.services import message_enqueue

logger = logging.getLogger(__name__)

CHANNEL = "sms"
BACKENDS = ("console", "twilio", "none")
TWILIO_API = "https://api.twilio.com/2010-04-01"
# Twilio's limit on one message's body; longer texts are cut rather than refused.
BODY_MAX_CHARS = 1600
ERROR_BODY_CHARS = 500


class InvalidPhoneNumber(ValueError):
    """Not a valid international phone number."""


def phone_number_e164(raw: str) -> str:
    """The number in E.164 ("+4915123456789"); InvalidPhoneNumber unless it is a valid
    number with its country code."""
    try:
        number = phonenumbers.parse(raw or "", None)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(f"not a phone number: {raw!r}") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(f"not a valid phone number: {raw!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def sms_enabled() -> bool:
    return settings.SMS_BACKEND != "none"


def sms_enqueue(
    *,
    to: str,
    body: str,
    dedupe_key: str | None = None,
    not_before=None,
    not_after=None,
) -> OutboxMessage:
    """Write a text message to `to` in the caller's transaction (InvalidPhoneNumber if the
    number is not valid)."""
    number = phone_number_e164(to)
    return message_enqueue(
        channel=CHANNEL,
        recipient=number,
        payload={"to": number, "body": body[:BODY_MAX_CHARS]},
        dedupe_key=dedupe_key,
        not_before=not_before,
        not_after=not_after,
    )


def _console_send(message: OutboxMessage) -> None:
    logger.info(
        "sms (console backend)",
        extra={"sms_to": message.payload["to"], "sms_body": message.payload["body"]},
    )


def _not_configured(message: OutboxMessage) -> None:
    raise DeliveryFailed("SMS_BACKEND is none: no SMS can be sent", channel_down=True)


def _twilio_reason(response: requests.Response) -> str:
    try:
        error = response.json()
        detail = f"{error.get('code')}: {error.get('message')}"
    except (ValueError, AttributeError):
        detail = response.text[:ERROR_BODY_CHARS]
    return f"Twilio {response.status_code} {detail}"


def _retry_after(response: requests.Response) -> float | None:
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None


def _twilio_sender(session: requests.Session):
    account_sid = settings.TWILIO_ACCOUNT_SID
    url = f"{TWILIO_API}/Accounts/{account_sid}/Messages.json"

    def send(message: OutboxMessage) -> None:
        try:
            response = session.post(
                url,
                data={
                    "To": message.payload["to"],
                    "From": settings.TWILIO_FROM,
                    "Body": message.payload["body"],
                },
                auth=(account_sid, settings.TWILIO_AUTH_TOKEN),
                timeout=settings.SMS_TIMEOUT_SECONDS,
            )
        except requests.RequestException as exc:
            # Unreachable, refused or timed out: Twilio, not this message.
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}", channel_down=True) from exc
        status = response.status_code
        if status in (200, 201):
            sid = response.json().get("sid") if response.content else None
            logger.info(
                "sms accepted by Twilio", extra={"outbox_message": str(message.pk), "sid": sid}
            )
            return
        reason = _twilio_reason(response)
        if status == 429:
            raise DeliveryFailed(reason, retry_after_seconds=_retry_after(response))
        if status in (401, 403):
            # Our credentials, not the message: every SMS would fail alike, and each
            # should go out once they are fixed.
            raise DeliveryFailed(reason, channel_down=True)
        if 400 <= status < 500:
            raise DeliveryRejected(reason)  # an invalid or unreachable number, a bad body
        raise DeliveryFailed(reason)

    return send


class SmsChannel:
    """Picks the backend when a batch opens, so a changed setting needs no restart of the
    registry (and tests may switch it)."""

    @contextmanager
    def open(self):
        backend = settings.SMS_BACKEND
        if backend == "twilio":
            with requests.Session() as session:
                yield _twilio_sender(session)
        elif backend == "console":
            yield _console_send
        else:
            yield _not_configured


def register() -> None:
    channels.register(CHANNEL, SmsChannel())
