"""Writing messages into the outbox and delivering the due ones.

`message_enqueue` joins the caller's transaction: the message commits or rolls back
with the change that caused it. Delivery claims due rows in batches (a lease, so two
workers never send the same row at once), hands each channel its batch, and records
the outcome: sent, retried later with exponential backoff, or failed once
`give_up_at` (about a day after enqueueing) has passed. A message with `not_after` is
checked right before each attempt and recorded `expired` instead of being sent late.
"""

from __future__ import annotations

import logging
import random
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from outbox import channels
from outbox.errors import DeliveryFailed, DeliveryRejected
from outbox.models import MessageStatus, OutboxMessage

logger = logging.getLogger(__name__)

CLAIM_BATCH = 200
# A delivery run stops claiming new batches after this long, so one task never holds a
# worker for ever while the queue keeps filling; the next wake-up or sweep goes on.
RUN_SECONDS = 60
LAST_ERROR_CHARS = 2000


def message_enqueue(
    *,
    channel: str,
    recipient: str,
    payload: dict,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> OutboxMessage:
    """Write one message in the caller's transaction and wake a worker after commit.

    With a `dedupe_key` the message is written at most once: a second call with the same
    key returns the existing row (the database's unique constraint decides). It is sent
    from `not_before` on and, with `not_after`, never from that moment on.
    """
    now = timezone.now()
    fields = {
        "channel": channel,
        "recipient": recipient[:320],
        "payload": payload,
        "next_attempt_at": max(not_before or now, now),
        "not_after": not_after,
        "give_up_at": max(not_before or now, now) + _give_up_after(),
        "created_at": now,
    }
    if dedupe_key is None:
        message = OutboxMessage.objects.create(**fields)
    else:
        with transaction.atomic():
            message, _ = OutboxMessage.objects.get_or_create(dedupe_key=dedupe_key, defaults=fields)
    _wake_after_commit()
    return message


def messages_cancel(*, dedupe_key_prefix: str) -> int:
    """Withdraw pending messages whose key starts with the prefix (a cancelled booking's
    reminders). A message already sent stays as it is. One a worker is sending right now
    is withdrawn too: if that send succeeds it is recorded `sent`, if it fails it is not
    tried again (so a reminder of a cancelled booking is never retried)."""
    return OutboxMessage.objects.filter(
        dedupe_key__startswith=dedupe_key_prefix, status=MessageStatus.PENDING
    ).update(status=MessageStatus.CANCELLED)


def messages_retry(*, ids) -> int:
    """Admin's "retry now" of failed or pending messages: due at once, with a fresh day
    before giving up. Withdrawn and expired ones stay as they are."""
    now = timezone.now()
    return OutboxMessage.objects.filter(
        pk__in=list(ids), status__in=[MessageStatus.FAILED, MessageStatus.PENDING]
    ).update(
        status=MessageStatus.PENDING,
        next_attempt_at=now,
        give_up_at=now + _give_up_after(),
        claimed_until=None,
    )


@dataclass
class DeliveryRun:
    claimed: int = 0
    sent: int = 0


def outbox_deliver_run(*, run_seconds: float = RUN_SECONDS) -> DeliveryRun:
    """Deliver due messages batch by batch until none is due."""
    run = DeliveryRun()
    deadline = time.monotonic() + run_seconds
    while time.monotonic() < deadline:
        batch = _claim_due(limit=CLAIM_BATCH)
        if not batch:
            break
        run.claimed += len(batch)
        _deliver(batch, run)
    return run


def outbox_deliver_due(*, run_seconds: float = RUN_SECONDS) -> int:
    """Deliver due messages batch by batch until none is due; returns how many were sent."""
    return outbox_deliver_run(run_seconds=run_seconds).sent


def outbox_next_attempt_at() -> datetime | None:
    """When the earliest pending message not being sent right now falls due."""
    now = timezone.now()
    return (
        OutboxMessage.objects.filter(status=MessageStatus.PENDING, channel__in=channels.names())
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )


def outbox_purge_sent(*, older_than: timedelta) -> int:
    cutoff = timezone.now() - older_than
    return OutboxMessage.objects.filter(status=MessageStatus.SENT, sent_at__lt=cutoff).delete()[0]


def _give_up_after() -> timedelta:
    return timedelta(hours=settings.OUTBOX_GIVE_UP_HOURS)


def retry_delay_seconds(attempts: int) -> float:
    """Exponential backoff with jitter: base, 2 base, 4 base ... capped."""
    base = settings.OUTBOX_RETRY_BASE_SECONDS
    delay = min(base * 2 ** max(attempts - 1, 0), settings.OUTBOX_RETRY_MAX_SECONDS)
    return delay * random.uniform(0.8, 1.2)


def _wake_after_commit() -> None:
    # One wake-up per transaction, however many messages it wrote: skip when a wake-up
    # that has not run yet is registered in this block or one enclosing it (so it runs,
    # or rolls back, together with this message). Django keeps (savepoint ids, callback,
    # robust) in `run_on_commit`; should that change, this only wakes more often.
    open_savepoints = set(connection.savepoint_ids)
    for entry in getattr(connection, "run_on_commit", None) or ():
        callback = entry[1]
        if isinstance(callback, _Wake) and not callback.done and set(entry[0]) <= open_savepoints:
            return
    transaction.on_commit(_Wake())


class _Wake:
    """Enqueues a delivery run; the row is safe either way, the sweep delivers it too."""

    done = False

    def __call__(self) -> None:
        from outbox.tasks import outbox_deliver

        self.done = True
        try:
            outbox_deliver()
        except Exception:  # the rows are safe; the periodic sweep delivers them
            logger.warning(
                "could not wake the outbox worker; the sweep will deliver", exc_info=True
            )


def _claim_due(*, limit: int) -> list[OutboxMessage]:
    now = timezone.now()
    lease = now + timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)
    with transaction.atomic(durable=True):
        rows = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(status=MessageStatus.PENDING, next_attempt_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .filter(channel__in=channels.names())
            .order_by("next_attempt_at")[:limit]
        )
        if rows:
            OutboxMessage.objects.filter(pk__in=[row.pk for row in rows]).update(
                claimed_until=lease
            )
    for row in rows:
        row.claimed_until = lease
    return rows


def _deliver(batch: list[OutboxMessage], run: DeliveryRun) -> None:
    by_channel: dict[str, list[OutboxMessage]] = defaultdict(list)
    for message in batch:
        by_channel[message.channel].append(message)
    sent_ids = []
    for name, messages in by_channel.items():
        sent_ids.extend(_deliver_channel(channels.get(name), messages))
    if sent_ids:
        OutboxMessage.objects.filter(pk__in=sent_ids).update(
            status=MessageStatus.SENT,
            sent_at=timezone.now(),
            claimed_until=None,
            attempts=F("attempts") + 1,
            last_error="",
        )
    run.sent += len(sent_ids)


def _deliver_channel(channel, messages: list[OutboxMessage]) -> list:
    sent_ids = []
    with channel.open() as send:
        for index, message in enumerate(messages):
            if message.not_after is not None and timezone.now() >= message.not_after:
                _record_expired(message)
                continue
            try:
                send(message)
            except DeliveryRejected as exc:
                _record_failure(message, exc.reason, give_up=True)
            except DeliveryFailed as exc:
                _record_failure(message, exc.reason, retry_after=exc.retry_after_seconds)
                if exc.channel_down:
                    # The channel itself is down (SMTP unreachable): the rest of the batch
                    # waits as long as this one instead of each timing out in turn.
                    for waiting in messages[index + 1 :]:
                        _record_failure(
                            waiting, f"not tried: {exc.reason}", retry_after=None, count=False
                        )
                    break
            except Exception as exc:  # a sender bug must not stop the other messages
                logger.exception("outbox sender crashed", extra={"outbox_message": str(message.pk)})
                _record_failure(message, f"{type(exc).__name__}: {exc}")
            else:
                sent_ids.append(message.pk)
    return sent_ids


def _record_failure(
    message: OutboxMessage,
    reason: str,
    *,
    give_up: bool = False,
    retry_after: float | None = None,
    count: bool = True,
) -> None:
    now = timezone.now()
    attempts = message.attempts + (1 if count else 0)
    delay = retry_after if retry_after is not None else retry_delay_seconds(max(attempts, 1))
    next_attempt = now + timedelta(seconds=delay)
    # A retry that would come too late is no retry: the message expires now (and is not
    # left `failed`, for the admin to retry when it is pointless).
    expired = not give_up and message.not_after is not None and next_attempt >= message.not_after
    failed = not expired and (give_up or next_attempt >= message.give_up_at)
    if failed:
        status = MessageStatus.FAILED
    elif expired:
        status = MessageStatus.EXPIRED
        reason = f"{reason}; {_expiry_note(message)}"
    else:
        status = MessageStatus.PENDING
    outcome_fields = {
        "attempts": attempts,
        "next_attempt_at": next_attempt,
        "claimed_until": None,
        "last_error": reason[:LAST_ERROR_CHARS],
    }
    OutboxMessage.objects.filter(pk=message.pk, status=MessageStatus.PENDING).update(
        status=status, **outcome_fields
    )
    # Withdrawn while it was being sent (messages_cancel): it stays withdrawn, never
    # retried, unless the receiver refused it for good, which is what it then reads.
    withdrawn = OutboxMessage.objects.filter(pk=message.pk, status=MessageStatus.CANCELLED)
    if status == MessageStatus.FAILED and give_up:
        withdrawn.update(status=MessageStatus.FAILED, **outcome_fields)
    else:
        withdrawn.update(**outcome_fields)
    log = logger.error if failed or expired else logger.warning
    outcome = " for good" if failed else ", expired" if expired else ", will retry"
    log(
        "outbox delivery failed" + outcome,
        extra={
            "outbox_message": str(message.pk),
            "channel": message.channel,
            "reason": reason[:200],
        },
    )


def _expiry_note(message: OutboxMessage) -> str:
    return f"not sent: too late from {message.not_after.isoformat()}"


def _record_expired(message: OutboxMessage) -> None:
    note = _expiry_note(message)
    OutboxMessage.objects.filter(pk=message.pk, status=MessageStatus.PENDING).update(
        status=MessageStatus.EXPIRED, claimed_until=None, last_error=note
    )
    logger.info(
        "outbox message expired before it could be sent",
        extra={"outbox_message": str(message.pk), "channel": message.channel, "reason": note},
    )
