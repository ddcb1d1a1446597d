"""The e-mail channel: `email_enqueue` writes a message, the sender hands it to Django's
e-mail backend (SMTP in production), one connection per batch.

Everything that goes into a header is sanitized when the message is written: a newline
in a service name must not break this e-mail, nor every later one that carries it.
"""

from __future__ import annotations

import base64
import re
import smtplib
from contextlib import contextmanager, suppress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email

from outbox import channels
from outbox.errors import DeliveryFailed, DeliveryRejected
from outbox.models import OutboxMessage
from outbox.services import message_enqueue

CHANNEL = "email"
_HEADER_UNSAFE = re.compile(r"[\x00-\x1f\x7f]+")
SUBJECT_MAX_CHARS = 250


def header_safe(value: str, *, max_chars: int = SUBJECT_MAX_CHARS) -> str:
    """One line without control characters, e.g. for a subject built from user input."""
    return " ".join(_HEADER_UNSAFE.sub(" ", value).split())[:max_chars]


def email_enqueue(
    *,
    to: str,
    subject: str,
    body: str,
    attachments: tuple[tuple[str, bytes, str], ...] = (),
    dedupe_key: str | None = None,
    not_before=None,
    not_after=None,
) -> OutboxMessage:
    """Write an e-mail to `to` in the caller's transaction. Attachments are
    (filename, content, mimetype); `not_before`/`not_after` bound when it may be sent."""
    payload = {
        "to": header_safe(to, max_chars=320),
        "subject": header_safe(subject),
        "body": body,
        "attachments": [
            {
                "filename": header_safe(name, max_chars=100),
                "content_b64": base64.b64encode(content).decode("ascii"),
                "mimetype": header_safe(mimetype, max_chars=200),
            }
            for name, content, mimetype in attachments
        ],
    }
    return message_enqueue(
        channel=CHANNEL,
        recipient=payload["to"],
        payload=payload,
        dedupe_key=dedupe_key,
        not_before=not_before,
        not_after=not_after,
    )


def message_id(message: OutboxMessage) -> str:
    """The e-mail's Message-ID: the same on every attempt, so duplicates are detectable."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "localhost"
    return f"<{message.pk}@{domain}>"


class EmailChannel:
    @contextmanager
    def open(self):
        connection = get_connection(fail_silently=False)
        opened = False

        def send(message: OutboxMessage) -> None:
            nonlocal opened
            email = _build(message, connection)
            try:
                if not opened:
                    connection.open()
                    opened = True
                email.send()
            except smtplib.SMTPRecipientsRefused as exc:
                codes = [code for code, _ in exc.recipients.values()]
                if codes and all(code >= 500 for code in codes):
                    raise DeliveryRejected(f"recipient refused: {exc.recipients}") from exc
                raise DeliveryFailed(f"recipient deferred: {exc.recipients}") from exc
            except smtplib.SMTPResponseException as exc:
                if exc.smtp_code >= 500:
                    raise DeliveryRejected(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
                raise DeliveryFailed(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
            except ValueError as exc:  # a header Django refuses: this message, never again
                raise DeliveryRejected(f"unsendable: {exc}") from exc
            except (TimeoutError, OSError, smtplib.SMTPException) as exc:
                # Unreachable, refused, timed out or dropped: the server, not the message.
                _close(connection)
                opened = False
                raise DeliveryFailed(f"{type(exc).__name__}: {exc}", channel_down=True) from exc

        try:
            yield send
        finally:
            if opened:
                _close(connection)


def _build(message: OutboxMessage, connection) -> EmailMessage:
    payload = message.payload
    try:
        validate_email(payload["to"])
    except ValidationError as exc:
        raise DeliveryRejected(f"invalid address: {payload['to']!r}") from exc
    email = EmailMessage(
        subject=payload["subject"],
        body=payload["body"],
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[payload["to"]],
        headers={"Message-ID": message_id(message)},
        connection=connection,
    )
    for attachment in payload.get("attachments", ()):
        email.attach(
            attachment["filename"],
            base64.b64decode(attachment["content_b64"]),
            attachment["mimetype"],
        )
    return email


def _close(connection) -> None:
    # Closing a broken SMTP session may fail again; there is nothing left to save.
    with suppress(Exception):
        connection.close()


def register() -> None:
    channels.register(CHANNEL, EmailChannel())
