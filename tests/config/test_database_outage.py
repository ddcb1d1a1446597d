"""A database that refuses writes answers 503 `database_unavailable`, never 500; /readyz
says so; /healthz (liveness) does not care.

The database really refuses: on PostgreSQL every new connection is read-only
(`default_transaction_read_only`, as on a standby after a failover) or the server ends
our connection; on SQLite the connection is `query_only` or another connection holds the
write lock. Runs in both passes.
"""

import contextlib
import sqlite3

import psycopg
import pytest
from django.db import close_old_connections, connection
from django.test import Client

from core import readiness
from tests.bookings.conftest import free_start, iso
from tests.factories import (
    PASSWORD,
    client_for,
    make_practitioner,
    make_staff,
    make_user,
    totp_code,
)
from tests.ports import closed_port

pytestmark = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def writes_refused():
    """Inside the block the database refuses every write (reads still work)."""
    if connection.vendor == "postgresql":
        database = connection.ops.quote_name(connection.settings_dict["NAME"])
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER DATABASE {database} SET default_transaction_read_only = on")
        connection.close()  # the next connection, like every new one, is read-only
        try:
            yield
        finally:
            connection.close()
            with connection.cursor() as cursor:
                cursor.execute("SET default_transaction_read_only = off")
                cursor.execute(f"ALTER DATABASE {database} RESET default_transaction_read_only")
            connection.close()
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA query_only = ON")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA query_only = OFF")


@pytest.fixture
def free_session():
    _, profile, service = make_practitioner(price_amount=0, min_notice_minutes=0)
    client_user = make_user()
    body = {"service": str(service.pk), "start": iso(free_start(profile, service))}
    return client_for(client_user), body


def _assert_database_unavailable(response):
    assert response.status_code == 503, response.content
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "database_unavailable"
    assert int(response.headers["Retry-After"]) > 0


def test_refused_writes_are_503_and_reads_and_liveness_keep_working(free_session, api_client):
    api, booking = free_session
    with writes_refused():
        _assert_database_unavailable(api.post("/api/v1/bookings/", booking))
        _assert_database_unavailable(
            api_client.post(
                "/api/v1/auth/register/",
                {"email": "new@example.org", "password": PASSWORD, "name": "New", "role": "client"},
            )
        )
        assert api.get("/api/v1/bookings/").status_code == 200
        assert api_client.get("/healthz").json() == {"status": "ok"}

    created = api.post("/api/v1/bookings/", booking)
    assert created.status_code == 201, created.json()


def test_views_outside_drf_answer_the_same_503(db):
    staff = make_staff(email="staff@example.org", is_superuser=True)
    browser = Client()
    credentials = {"username": "staff@example.org", "password": PASSWORD}
    with writes_refused():
        # Logging in writes the session: the admin is a plain Django view.
        refused = browser.post("/admin/login/", {**credentials, "otp_token": totp_code(staff)})
        _assert_database_unavailable(refused)
    login = browser.post("/admin/login/", {**credentials, "otp_token": totp_code(staff)})
    assert login.status_code == 302


def test_readyz_fails_while_the_database_refuses_writes(api_client):
    ready = api_client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "checks": {"database": {"status": "ok"}, "jobs": {"status": "ok"}},
    }

    with writes_refused():
        refused = api_client.get("/readyz")

    assert refused.status_code == 503 and refused["Retry-After"]
    body = refused.json()
    assert (body["status"], body["code"]) == ("not_ready", "not_ready")
    assert body["checks"]["database"]["status"] == "failed"
    assert body["checks"]["database"]["detail"]
    assert api_client.get("/readyz").status_code == 200


def test_readyz_runs_every_registered_check(api_client):
    def mail_relay():
        raise readiness.NotReady("mail relay unreachable")

    def crashing():
        raise ConnectionRefusedError("[Errno 111] Connection refused")

    readiness.register("mail_relay", mail_relay)
    readiness.register("search_index", crashing)
    try:
        response = api_client.get("/readyz")
    finally:
        readiness.unregister("mail_relay")
        readiness.unregister("search_index")

    assert response.status_code == 503
    assert response.json()["detail"] == "Not ready: mail_relay, search_index."
    assert response.json()["checks"] == {
        "database": {"status": "ok"},
        "jobs": {"status": "ok"},
        "mail_relay": {"status": "failed", "detail": "mail relay unreachable"},
        "search_index": {"status": "failed", "detail": "[Errno 111] Connection refused"},
    }
    assert api_client.get("/readyz").status_code == 200


def test_readyz_fails_while_the_job_storage_is_unreachable(api_client):
    """The job engine's storage is Redis nobody listens on: enqueueing would fail."""
    from huey.contrib.djhuey import HUEY
    from huey.storage import RedisStorage

    working = HUEY.storage
    HUEY.storage = RedisStorage(name="stillpoint", url=f"redis://127.0.0.1:{closed_port()}/0")
    try:
        response = api_client.get("/readyz")
    finally:
        HUEY.storage = working

    assert response.status_code == 503
    jobs = response.json()["checks"]["jobs"]
    assert jobs["status"] == "failed" and "job storage unavailable" in jobs["detail"]
    assert api_client.get("/readyz").status_code == 200


@pytest.mark.postgres
def test_a_connection_the_server_ended_is_503_and_the_next_request_reconnects(client_api):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    with psycopg.connect(**connection.get_connection_params()) as admin:
        # What a restarting or failing-over server does to the app server's connections.
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])

    _assert_database_unavailable(client_api.get("/api/v1/me/"))
    # Django's request handler runs this around every request (the test client does not):
    # the broken connection is dropped and the next request connects afresh.
    close_old_connections()
    assert client_api.get("/api/v1/me/").status_code == 200


@pytest.mark.sqlite
def test_write_lock_held_by_another_connection_is_503(free_session, api_client):
    api, booking = free_session
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout = 300")  # requests wait 20 s in production
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # holds the database's one write lock
    try:
        _assert_database_unavailable(api.post("/api/v1/bookings/", booking))
        not_ready = api_client.get("/readyz")
        assert not_ready.status_code == 503
        assert "locked" in not_ready.json()["checks"]["database"]["detail"]
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert api.post("/api/v1/bookings/", booking).status_code == 201
