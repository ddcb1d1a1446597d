"""Readiness: whether this server can do its work now (GET /readyz, for load balancers).

`/healthz` only says the process answers (liveness). `/readyz` runs every registered
check: the database accepting writes (registered here), and whatever else an app
needs, registered from its AppConfig.ready(), e.g. the job engine's storage:

    from core import readiness
    readiness.register("jobs", jobs_storage_check)

A check returns None when ready and raises when not (`NotReady("why")`, or the error
it met); its message is shown. Checks should answer within a couple of seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from core.sql import database_write_refusal

logger = logging.getLogger("stillpoint.readiness")

ReadinessCheck = Callable[[], None]

_checks: dict[str, ReadinessCheck] = {}


class NotReady(Exception):
    """Raised by a check: what is not ready, in a few words."""


def register(name: str, check: ReadinessCheck) -> None:
    """Run `check` on every /readyz under `name`; registering a name again replaces it."""
    _checks[name] = check


def unregister(name: str) -> None:
    _checks.pop(name, None)


def registered() -> list[str]:
    return list(_checks)


def run_checks() -> tuple[bool, dict[str, dict]]:
    """(all passed, {name: {"status": "ok"} or {"status": "failed", "detail": ...}})."""
    results = {}
    for name, check in list(_checks.items()):
        try:
            check()
        except Exception as exc:
            logger.warning("readiness check %s failed: %r", name, exc)
            results[name] = {"status": "failed", "detail": str(exc) or type(exc).__name__}
        else:
            results[name] = {"status": "ok"}
    return all(r["status"] == "ok" for r in results.values()), results


def database_accepts_writes() -> None:
    refusal = database_write_refusal()
    if refusal:
        raise NotReady(refusal)


register("database", database_accepts_writes)
