"""A real job engine for the integration tests: a `run_huey` consumer in a child process,
its queue in SQLite or in a real redis-server, and real loopback mail servers.

Every test that takes `job_storage` runs twice, once per storage. For its duration the
in-process Huey (which the API calls enqueue on) leaves immediate mode and uses the same
storage as the consumer, so a commit's wake-up travels through the real queue; it is put
back into immediate mode afterwards. The consumer reads and writes the test database, so
these tests commit their rows (`transactional_db`).
"""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest
from django.db import connection

from devtools.job_consumer import JobConsumer, in_process_huey
from devtools.mail_servers import HangingServer, SmtpSink
from devtools.redis_server import throwaway_redis
from tests.ports import free_port


@pytest.fixture(scope="session")
def redis_server():
    """A throwaway redis-server for the session (installed by .ci/ensure-redis)."""
    with throwaway_redis() as url:
        yield url


def consumer_database_url() -> str:
    """The test database, as the consumer's DATABASE_URL."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(params=["sqlite", "redis"])
def job_storage(request, tmp_path):
    """JOBS_URL of a fresh queue; the in-process Huey enqueues there while the test runs."""
    if request.param == "redis":
        url = request.getfixturevalue("redis_server") + "/0"
    else:
        url = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    with in_process_huey(url):
        yield url


@pytest.fixture
def start_consumer(job_storage, transactional_db, tmp_path, settings):
    """Starts `manage.py run_huey` against the test database and `job_storage`, sending
    e-mail over SMTP to 127.0.0.1:`email_port`; extra keywords become its environment
    (OUTBOX_RETRY_BASE_SECONDS=1, ...). Every consumer is killed after the test."""
    consumers: list[JobConsumer] = []
    base_env = {
        "DATABASE_URL": consumer_database_url(),
        "JOBS_URL": job_storage,
        "DATA_DIR": str(tmp_path / "consumer-data"),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "DEFAULT_FROM_EMAIL": settings.DEFAULT_FROM_EMAIL,
        "STRIPE_API_BASE": settings.STRIPE_API_BASE,  # a closed loopback port
        "LOG_LEVEL": "WARNING",
    }

    def start(*, email_port: int, **env) -> JobConsumer:
        consumer = JobConsumer(
            env={**base_env, "EMAIL_PORT": str(email_port), **{k: str(v) for k, v in env.items()}},
            log_path=tmp_path / f"consumer-{len(consumers) + 1}.log",
        )
        consumers.append(consumer)
        # The queue is durable: what the test enqueues while the consumer boots waits for it.
        return consumer.start(wait=False)

    yield start
    for consumer in consumers:
        consumer.kill()


@pytest.fixture
def smtp_port():
    """A loopback port for an SMTP server the test starts (or leaves closed)."""
    return free_port()


@pytest.fixture
def smtp_sink():
    """A factory of real SMTP servers (aiosmtpd) on a given port, stopped afterwards."""
    sinks: list[SmtpSink] = []

    def start(port: int) -> SmtpSink:
        sinks.append(SmtpSink(port).start())
        return sinks[-1]

    yield start
    for sink in sinks:
        sink.stop()


@pytest.fixture
def hanging_smtp():
    """A mail server that accepts connections and never answers."""
    with HangingServer() as server:
        yield server


def wait_until(predicate, *, timeout: float, what: str, consumer: JobConsumer | None = None):
    """Poll `predicate` until it is true; fail naming `what` (and the consumer's log)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            log = f"\nconsumer log:\n{consumer.log_text()[-3000:]}" if consumer else ""
            pytest.fail(f"timed out after {timeout} s waiting for {what}{log}")
        time.sleep(0.05)
