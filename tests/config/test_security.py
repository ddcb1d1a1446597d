"""Production settings: `check --deploy` is clean, secrets required, CORS is an allow-list."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 30 + "-production-like-secret-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "api.stillpoint.example",
    "CORS_ALLOWED_ORIGINS": "https://app.stillpoint.example",
    "DATABASE_URL": "sqlite:///:memory:",
    "SECURE_HSTS_PRELOAD": "true",
}


def run_manage(*args, env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION_ENV
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_false_requires_a_secret_key():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = run_manage("check", env_overrides=env)
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_malformed_throttle_rates_fail_at_start_up():
    result = run_manage("check", env_overrides={"THROTTLE_RATES": "auth10/min"})
    assert result.returncode != 0
    assert "THROTTLE_RATES" in result.stderr


@pytest.mark.django_db
def test_cors_allows_only_listed_origins(api_client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.stillpoint.example"]
    allowed = api_client.options(
        "/healthz",
        HTTP_ORIGIN="https://app.stillpoint.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert allowed["Access-Control-Allow-Origin"] == "https://app.stillpoint.example"
    other = api_client.get("/healthz", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other


@pytest.mark.django_db
@pytest.mark.parametrize(
    "origin", ["http://localhost:5173", "http://127.0.0.1:3000", "http://[::1]:4200"]
)
def test_with_debug_an_spa_on_this_machine_may_call_the_api(api_client, origin):
    # The default with DEBUG=true (the test run's environment): any loopback dev server.
    preflight = api_client.options(
        "/api/v1/bookings/",
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization,content-type,idempotency-key",
    )
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == origin
    allowed_headers = preflight["Access-Control-Allow-Headers"].split(", ")
    assert {"authorization", "content-type", "idempotency-key"} <= set(allowed_headers)

    response = api_client.get("/api/v1/modalities/", HTTP_ORIGIN=origin)
    assert response["Access-Control-Allow-Origin"] == origin
    exposed = set(response["Access-Control-Expose-Headers"].split(", "))
    assert {"Retry-After", "X-Request-ID"} <= exposed


@pytest.mark.django_db
@pytest.mark.parametrize(
    "origin",
    ["http://localhost.evil.example:5173", "http://127.0.0.1.evil.example", "http://10.0.0.5:5173"],
)
def test_with_debug_only_loopback_origins_are_let_in(api_client, origin):
    response = api_client.get("/api/v1/modalities/", HTTP_ORIGIN=origin)
    assert "Access-Control-Allow-Origin" not in response


def test_without_debug_no_local_origin_is_let_in():
    show = "from django.conf import settings; print(settings.CORS_ALLOWED_ORIGIN_REGEXES)"
    production = run_manage("shell", "--no-imports", "-c", show, env_overrides=PRODUCTION_ENV)
    assert production.returncode == 0, production.stderr
    assert production.stdout.strip() == "[]"
    opted_in = run_manage(
        "shell",
        "--no-imports",
        "-c",
        show,
        env_overrides={**PRODUCTION_ENV, "CORS_ALLOW_LOCALHOST": "true"},
    )
    assert "localhost" in opted_in.stdout


def test_security_headers_on_every_response(client, db):
    response = client.get("/healthz")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert settings.SECURE_CONTENT_TYPE_NOSNIFF
