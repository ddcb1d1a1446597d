"""Job-engine tasks of the outbox (found by huey.contrib.djhuey's autodiscovery)."""

from datetime import timedelta

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from outbox.services import outbox_deliver_due, outbox_purge_sent


@db_task()
def outbox_deliver():
    """Woken after a commit that wrote messages."""
    outbox_deliver_due()


@db_periodic_task(crontab(minute="*"))
def outbox_sweep():
    """Delivers what no wake-up reached: a lost queue message, a crashed worker's lease,
    a retry that has come due."""
    outbox_deliver_due()


@db_periodic_task(crontab(minute="17", hour="3"))
def outbox_purge():
    outbox_purge_sent(older_than=timedelta(days=settings.OUTBOX_KEEP_SENT_DAYS))
