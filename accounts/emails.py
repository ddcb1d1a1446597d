"""The one way accounts sends an e-mail: after the current transaction commits.

`account_email_send` is the seam a transactional outbox replaces; every account e-mail
(verification, password reset) goes through it and nothing else in accounts sends mail.
"""

from __future__ import annotations

import logging
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction

logger = logging.getLogger(__name__)


def header_value(value: str) -> str:
    """One line: a CR or LF in a header would let a value add headers of its own."""
    return " ".join(str(value).split())


def account_email_send(*, to: str, subject: str, body: str) -> None:
    """Send a plain-text e-mail to one address once the current transaction commits (at
    once outside one). A failure to send is logged, never raised: what was committed stands.
    """
    transaction.on_commit(
        partial(_send, to=header_value(to), subject=header_value(subject), body=body)
    )


def _send(*, to: str, subject: str, body: str) -> None:
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
    try:
        message.send()
    except Exception:
        logger.exception("account e-mail failed", extra={"subject": subject})
