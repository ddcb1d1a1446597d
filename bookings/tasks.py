"""Periodic bookings work, scheduled by the job engine (run_huey), not by cron."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from bookings.services import (
    bookings_expire_lapsed_holds,
    bookings_tidy_up_payments,
    idempotency_keys_purge,
)


@db_periodic_task(crontab(minute="*"))
def expire_lapsed_holds():
    """Frees slots whose payment hold ran out, then tidies PaymentIntents and refunds."""
    bookings_expire_lapsed_holds()
    bookings_tidy_up_payments()


@db_periodic_task(crontab(minute="5"))
def purge_idempotency_keys():
    idempotency_keys_purge()
