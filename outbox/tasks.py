"""Job-engine tasks of the outbox (found by huey.contrib.djhuey's autodiscovery)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from outbox.services import outbox_deliver_run, outbox_next_attempt_at, outbox_purge_sent

# A message due later than this is left to the sweep (every minute): as timely, a job less.
WAKE_WITHIN = timedelta(seconds=60)


def _deliver_and_wake_for_next() -> None:
    run = outbox_deliver_run()
    if not run.claimed:
        return
    # A run that delivered or retried something wakes a worker for the next message due
    # soon (a retry, a reminder, what a time-boxed run left): retries keep their backoff
    # instead of waiting for the minute's sweep. Runs that found nothing schedule nothing,
    # so however many wake-ups an outage sees, they collapse into one chain.
    due = outbox_next_attempt_at()
    if due is not None and due - timezone.now() < WAKE_WITHIN:
        outbox_deliver.schedule(eta=due)


@db_task()
def outbox_deliver():
    """Woken after a commit that wrote messages, and when the next one falls due."""
    _deliver_and_wake_for_next()


@db_periodic_task(crontab(minute="*"))
def outbox_sweep():
    """Delivers what no wake-up reached: a lost queue message, a crashed worker's lease,
    a retry that has come due. The consumer also runs it as it starts."""
    _deliver_and_wake_for_next()


@db_periodic_task(crontab(minute="17", hour="3"))
def outbox_purge():
    outbox_purge_sent(older_than=timedelta(days=settings.OUTBOX_KEEP_SENT_DAYS))
