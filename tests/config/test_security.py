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


def test_security_headers_on_every_response(client, db):
    response = client.get("/healthz")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert settings.SECURE_CONTENT_TYPE_NOSNIFF
