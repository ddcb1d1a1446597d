"""A real job consumer (`python manage.py run_huey`) as a child process, for the job-engine
tests and `bench.jobs`: started with the environment it is given, its output in a log file,
stopped (SIGTERM) or killed (SIGKILL) on request."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# huey.consumer logs this once its workers and scheduler run.
STARTED_LINE = "Huey consumer started"


class JobConsumer:
    def __init__(self, *, env: dict[str, str], log_path: Path, workers: int = 2):
        self.env = {**os.environ, **env, "JOBS_WORKERS": str(workers), "JOBS_IMMEDIATE": "false"}
        self.log_path = Path(log_path)
        self.proc: subprocess.Popen | None = None

    def start(self, *, wait: bool = True, timeout: float = 30.0) -> JobConsumer:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "manage.py", "run_huey"],
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: a kill reaches all of it
            )
        if wait:
            self.wait_started(timeout=timeout)
        return self

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_started(self, *, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while STARTED_LINE not in self.log_text():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the job consumer did not start:\n" + self.log_text()[-4000:])
            time.sleep(0.05)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL, as an OOM killer or a lost machine would: no cleanup of any kind."""
        if self.running:
            self._signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self, *, timeout: float = 10.0) -> None:
        if not self.running:
            return
        self._signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def _signal(self, signum) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signum)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


@contextlib.contextmanager
def in_process_huey(jobs_url: str):
    """This process's Huey (`huey.contrib.djhuey.HUEY`) enqueues into the queue of `jobs_url`
    instead of running jobs at once (or wherever the settings pointed it); restored after,
    immediate mode included. The queue is emptied before and after."""
    from huey.contrib.djhuey import HUEY
    from huey.utils import load_class

    from core.job_storage import huey_settings

    # The same mapping from JOBS_URL to a storage as the settings use.
    conf = huey_settings(jobs_url, workers=1, immediate=False)
    storage_class = load_class(conf["huey_class"]).storage_class
    storage_kwargs = {key: conf[key] for key in ("filename", "url") if key in conf}

    saved = (HUEY.storage_class, HUEY.storage_kwargs, HUEY.immediate)
    HUEY.storage_class, HUEY.storage_kwargs = storage_class, storage_kwargs
    if HUEY.immediate:
        HUEY.immediate = False  # builds the storage from the two attributes above
    else:
        HUEY.storage = HUEY.create_storage()
    HUEY.flush()  # a Redis server outlives its users: start from an empty queue
    try:
        yield HUEY
    finally:
        HUEY.flush()
        HUEY.storage_class, HUEY.storage_kwargs = saved[:2]
        if saved[2]:
            HUEY.immediate = True
        else:
            HUEY.storage = HUEY.create_storage()
