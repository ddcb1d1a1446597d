"""Without a registered payment port the project refuses to start, with a clear message."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from bookings import payment_port
from bookings.payment_port import PaymentPortMissing
from payments.provider import StripePaymentPort

REPO = Path(__file__).resolve().parents[2]


def test_payments_registers_the_stripe_adapter_at_startup():
    assert isinstance(payment_port.get(), StripePaymentPort)
    assert isinstance(payment_port.get(), payment_port.PaymentPort)


def test_system_check_fails_without_a_port():
    with payment_port.swapped(None), pytest.raises(SystemCheckError) as exc:
        call_command("check")
    assert "bookings.E001" in str(exc.value)
    assert "No payment port is registered" in str(exc.value)
    assert "payments app to INSTALLED_APPS" in str(exc.value)
    call_command("check")  # the real adapter is back


def _without_payments(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.bookings.settings_without_payments"}
    env.pop("DATABASE_URL", None)  # loading the application needs no database
    return subprocess.run(
        [sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("module", ["config.wsgi", "config.asgi"])
def test_the_application_refuses_to_load_without_the_payments_app(module):
    result = _without_payments("-c", f"import {module}")
    assert result.returncode != 0
    assert "PaymentPortMissing: No payment port is registered" in result.stderr


def test_a_port_is_asked_for_clearly_when_missing():
    with payment_port.swapped(None), pytest.raises(PaymentPortMissing, match="INSTALLED_APPS"):
        payment_port.get()


def test_register_refuses_what_is_not_a_port():
    with pytest.raises(TypeError, match="does not implement"):
        payment_port.register(object())
