"""JOBS_URL → the job engine's (Huey's) settings; free of Django so settings can call it.

sqlite:///<path>  SqliteHuey, a persistent queue in one file (one machine; the default)
redis://host:6379/N  RedisHuey, for several servers and workers
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit


class JobStorageError(ValueError):
    pass


def huey_settings(url: str, *, workers: int, immediate: bool, name: str = "stillpoint") -> dict:
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        filename = url.removeprefix("sqlite://").removeprefix("/")
        if not filename:
            raise JobStorageError("JOBS_URL sqlite:///<path> needs a file name")
        # sqlite:////abs/path keeps its leading slash; sqlite:///rel/path is relative.
        # SqliteHuey opens its file as soon as it is built (every manage.py command).
        os.makedirs(os.path.dirname(os.path.abspath(filename)), exist_ok=True)
        storage = {"huey_class": "huey.SqliteHuey", "filename": filename}
        # SQLite is polled, and an idle worker's polling backs off (to 10 s by default):
        # a wake-up would wait that long. Looking every second costs next to nothing.
        polling = {"max_delay": 1.0}
    elif scheme in {"redis", "rediss", "unix"}:
        storage = {"huey_class": "huey.RedisHuey", "url": url}
        polling = {}  # workers block on the Redis queue: a wake-up reaches one at once
    else:
        raise JobStorageError(f"JOBS_URL must start with sqlite:/// or redis://, not {url!r}")
    return {
        "name": name,
        **storage,
        "immediate": immediate,
        "utc": True,
        "consumer": {
            "workers": workers,
            "worker_type": "thread",
            "periodic": True,
            "check_worker_health": True,
            **polling,
        },
    }
