"""/readyz's check of the job storage: can this server enqueue work right now?"""

from core.readiness import NotReady


def job_storage_check() -> None:
    from huey.contrib.djhuey import HUEY

    try:
        # A cheap round trip to the storage (SQLite file or Redis) that reads the queue.
        HUEY.pending_count()
    except Exception as exc:
        raise NotReady(f"job storage unavailable: {type(exc).__name__}: {exc}") from exc
