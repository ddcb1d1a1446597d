"""The floors, enforced: outbox <- accounts <- webhooks <- directory <- bookings <- (payments,
reviews).

core is the shared kernel under every app and imports none of them; outbox (the
transactional outbox: e-mails, SMS, webhooks as rows) stands on core alone; webhooks
(subscriptions and signed deliveries, the outbox's "webhook" channel) stands on accounts
and outbox, so that bookings, payments and reviews can publish events; config (settings,
URL wiring, WSGI/ASGI) is the top floor and no app or core imports it. An upper app
plugs into a lower one through an interface the lower one defines, connected in its
AppConfig.ready(), never by the lower one importing it.

The test reads every import (those inside functions too, and `import_module("...")`
with a literal name) of every module of core and the apps except tests and migrations,
and fails listing each offending module:line.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ("outbox", "accounts", "webhooks", "directory", "bookings", "payments", "reviews")

# The top-level packages each package must not import.
FORBIDDEN: dict[str, frozenset[str]] = {
    "core": frozenset({"config", *APPS}),
    "outbox": frozenset(
        {"config", "accounts", "webhooks", "directory", "bookings", "payments", "reviews"}
    ),
    "accounts": frozenset({"config", "webhooks", "directory", "bookings", "payments", "reviews"}),
    "webhooks": frozenset({"config", "directory", "bookings", "payments", "reviews"}),
    "directory": frozenset({"config", "bookings", "payments", "reviews"}),
    "bookings": frozenset({"config", "payments", "reviews"}),
    "payments": frozenset({"config", "reviews"}),
    "reviews": frozenset({"config", "payments"}),
}


def imported_modules(source: str, *, package: str) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in `source`, a module of `package`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                name = f"{base}.{node.module}" if node.module else base
            else:
                name = node.module
            found.append((node.lineno, name))
        elif (
            isinstance(node, ast.Call)
            and (getattr(node.func, "id", None) or getattr(node.func, "attr", None))
            == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


class Violation(NamedTuple):
    path: str
    line: int
    module: str
    owner: str

    def __str__(self) -> str:
        floor = self.module.split(".")[0]
        where = f"{self.path}:{self.line}"
        return f"{where} imports {self.module} ({self.owner} must not import {floor})"


def violations(source: str, *, path: str, package: str) -> list[Violation]:
    """Each import in `source` of a package its owner must not import."""
    owner = package.split(".")[0]
    return [
        Violation(path, line, name, owner)
        for line, name in imported_modules(source, package=package)
        if name.split(".")[0] in FORBIDDEN[owner]
    ]


def checked_modules() -> list[tuple[str, str]]:
    """(path relative to the checkout, containing package) of every module under the rules."""
    modules = []
    for top in FORBIDDEN:
        for file in sorted((ROOT / top).rglob("*.py")):
            relative = file.relative_to(ROOT)
            folders = relative.parts[:-1]
            if {"migrations", "tests"} & set(folders):
                continue
            if file.name.startswith("test_") or file.name in {"tests.py", "conftest.py"}:
                continue
            modules.append((relative.as_posix(), ".".join(folders)))
    return modules


def test_no_app_imports_a_floor_above_it_or_config():
    found = []
    for path, package in checked_modules():
        source = (ROOT / path).read_text(encoding="utf-8")
        found.extend(violations(source, path=path, package=package))
    assert not found, "Imports across the floors:\n" + "\n".join(str(v) for v in found)


def test_every_package_under_the_rules_is_read():
    packages = {package.split(".")[0] for _, package in checked_modules()}
    assert packages == set(FORBIDDEN)
    paths = {path for path, _ in checked_modules()}
    assert "bookings/management/commands/expire_holds.py" in paths
    assert not any("/migrations/" in path for path in paths)


SYNTHETIC = """\
import json
from core.errors import Conflict
from directory import selectors
import payments.services as payment_services


def refund():
    from reviews.models import Review
    from . import slots
    from .. import bookings_helpers


def settings_please():
    from config import settings
    return importlib.import_module("payments.adapters"), import_module("directory.geo")
"""


def test_the_checker_lists_every_forbidden_import_with_its_line():
    found = violations(SYNTHETIC, path="bookings/fake.py", package="bookings.sub")
    assert [str(v) for v in found] == [
        "bookings/fake.py:4 imports payments.services (bookings must not import payments)",
        "bookings/fake.py:8 imports reviews.models (bookings must not import reviews)",
        "bookings/fake.py:14 imports config (bookings must not import config)",
        "bookings/fake.py:15 imports payments.adapters (bookings must not import payments)",
    ]


def test_relative_imports_resolve_inside_their_package():
    assert imported_modules("from . import slots\nfrom ..x import y", package="bookings.sub") == [
        (1, "bookings.sub"),
        (2, "bookings.x"),
    ]


@pytest.mark.parametrize(
    ("package", "source", "offends"),
    [
        ("accounts", "from directory.services import x", True),
        ("accounts", "from bookings import selectors", True),
        ("accounts", "import core.errors", False),
        ("directory", "from accounts.models import User", False),
        ("directory", "from bookings.models import Booking", True),
        ("directory", "import reviews", True),
        ("bookings", "from directory.models import Service", False),
        ("reviews", "from bookings.models import Booking", False),
        ("reviews", "from payments.models import Payment", True),
        ("payments", "from reviews import services", True),
        ("payments", "from bookings import services", False),
        ("core", "from accounts.models import User", True),
        ("core", "from outbox.email import email_enqueue", True),
        ("outbox", "from accounts.models import User", True),
        ("outbox", "import core.errors", False),
        ("bookings", "from outbox.email import email_enqueue", False),
        ("webhooks", "from accounts.models import User", False),
        ("webhooks", "from outbox.services import message_enqueue", False),
        ("webhooks", "from bookings.serializers import BookingSerializer", True),
        ("webhooks", "from directory import models", True),
        ("accounts", "from webhooks.services import event_publish", True),
        ("outbox", "from webhooks import delivery", True),
        ("bookings", "from webhooks.services import event_publish", False),
        ("reviews", "from webhooks.services import event_publish", False),
        ("core", "from config.settings import DEBUG", True),
        ("core", "from django.conf import settings", False),
        ("payments", "import configparser", False),
    ],
)
def test_each_rule(package, source, offends):
    assert bool(violations(source, path="x.py", package=package)) is offends
