"""Periodic directory work, scheduled by the job engine (run_huey)."""

from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from directory.photo_services import orphan_photo_files_delete

# Older than this, a file without a row is no upload about to commit: an orphan.
ORPHAN_GRACE = timedelta(hours=24)


@db_periodic_task(crontab(minute="23", hour="4"))
def prune_photo_files():
    """Deletes photo files no photo row names (left by a crash or a failed deletion)."""
    orphan_photo_files_delete(older_than=ORPHAN_GRACE)
