"""Shared fixtures: users and API clients per role (the rows come from tests.factories).

Tests marked `postgres` are deselected (not skipped) on SQLite; `make test`
runs the suite a second time against a throwaway PostgreSQL where they run (and where
tests marked `sqlite` are deselected).
"""

import pytest
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import Role
from tests.factories import admin_client_for, client_for, enable_mfa, make_moderator, make_user

# localstripe fixtures (`localstripe`, `stripe_local_api`, `stripe_local`) for any test that pays.
pytest_plugins = ["tests.payments.localstripe_plugin"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    # SQLite tests use a file, not shared-cache memory: the live server thread (payments
    # end-to-end tests, webhooks from localstripe) then has its own connection with real
    # locking (WAL, busy timeout, IMMEDIATE), as in production, instead of sharing ours.
    from django.conf import settings

    for alias, db in settings.DATABASES.items():
        if db["ENGINE"] == "django.db.backends.sqlite3":
            db.setdefault("TEST", {})
            db["TEST"]["NAME"] = str(tmp_path_factory.mktemp("sqlite") / f"test_{alias}.sqlite3")


def pytest_collection_modifyitems(config, items):
    # The other database's marker: `postgres` tests run only on PostgreSQL, `sqlite` ones
    # (SQLite's own locking) only on SQLite.
    other = "sqlite" if connection.vendor == "postgresql" else "postgres"
    selected, deselected = [], []
    for item in items:
        (deselected if item.get_closest_marker(other) else selected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


@pytest.fixture(autouse=True, scope="session")
def _jobs_run_inline():
    # Unit tests run each job inside the call that enqueues it (Huey's immediate mode,
    # in memory); tests/jobs/ runs a real consumer against SQLite and Redis storage.
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield


@pytest.fixture(autouse=True)
def _no_throttling(settings):
    # Throttling has its own tests, which set THROTTLE_RATES; elsewhere it would
    # only make results depend on test order.
    settings.THROTTLE_RATES = ""
    cache.clear()


@pytest.fixture(autouse=True)
def _stripe_stays_on_loopback(settings):
    # No test may reach api.stripe.com: by default Stripe is a closed loopback port (calls
    # fail fast as "unavailable"); tests that pay use localstripe or `responses`.
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    settings.STRIPE_CONNECT = False


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to local storage in the test's own directory, whatever
    MEDIA_STORAGE says (the S3 tests set their storage themselves)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_user(db):
    return make_user(role=Role.CLIENT)


@pytest.fixture
def practitioner_user(db):
    return make_user(role=Role.PRACTITIONER)


@pytest.fixture
def moderator_user(db):
    return make_moderator()


@pytest.fixture
def client_api(client_user):
    return client_for(client_user)


@pytest.fixture
def practitioner_api(practitioner_user):
    return client_for(practitioner_user)


@pytest.fixture
def moderator_api(moderator_user):
    return client_for(moderator_user)


@pytest.fixture
def admin_user(db):
    """pytest-django's superuser, with the authenticator the admin requires."""
    user = make_user(email="admin@example.org", is_staff=True, is_superuser=True)
    enable_mfa(user)
    return user


@pytest.fixture
def admin_client(admin_user):
    """A browser signed in to the admin as admin_user, with password and code."""
    return admin_client_for(admin_user)
