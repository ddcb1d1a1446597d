"""Periodic accounts work, scheduled by the job engine (run_huey)."""

from django.core.management import call_command
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="41", hour="3"))
def flush_expired_tokens():
    """Deletes the records of refresh tokens past their expiry (issued and blacklisted
    alike: an expired token is refused whether or not it is listed)."""
    call_command("flushexpiredtokens", verbosity=0)
