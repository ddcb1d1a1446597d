"""The one way accounts sends an e-mail: a row in the outbox, in the caller's transaction.

Every account e-mail (verification, password reset) goes through `account_email_send`:
the message exists exactly when the change that caused it commits, and is delivered by
the outbox's worker (with retries), never while the request waits on a mail server.
"""

from __future__ import annotations

from outbox.email import email_enqueue


def account_email_send(*, to: str, subject: str, body: str) -> None:
    """Write a plain-text e-mail to one address into the outbox (headers are sanitized
    there: no newline in a subject or address reaches the message)."""
    email_enqueue(to=to, subject=subject, body=body)
