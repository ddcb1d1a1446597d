"""payments 0002 moves the Connect columns off existing profiles (and back, reversed)."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.migrations import migrate_to, migrate_to_latest

BEFORE = [("payments", "0001_initial"), ("directory", "0006_rebuild_search_cards")]
AFTER = [("payments", "0002_connect_account"), ("directory", "0007_profile_drop_connect_columns")]
FIELDS = ("stripe_account_id", "charges_enabled", "payouts_enabled", "details_submitted")
STATES = {
    "ready": ("acct_ready", True, True, True),
    "onboarding": ("acct_half", False, False, True),
    "never": ("", False, False, False),
}


def _profiles_with_connect_state(apps):
    User = apps.get_model("accounts", "User")
    Profile = apps.get_model("directory", "PractitionerProfile")
    for slug, values in STATES.items():
        user = User.objects.create(email=f"{slug}@example.org", role="practitioner")
        Profile.objects.create(user=user, slug=slug, **dict(zip(FIELDS, values, strict=True)))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("batch", [1000, 1], ids=["one_batch", "batch_per_row"])
def test_existing_connect_state_moves_to_connect_accounts_and_back(monkeypatch, batch):
    migration = importlib.import_module("payments.migrations.0002_connect_account")
    monkeypatch.setattr(migration, "BATCH", batch)
    apps = migrate_to(BEFORE)
    try:
        _profiles_with_connect_state(apps)

        apps = migrate_to(AFTER)
        Account = apps.get_model("payments", "ConnectAccount")
        moved = {
            row[0]: row[1:] for row in Account.objects.values_list("practitioner__slug", *FIELDS)
        }
        # A profile that never onboarded needs no row: the defaults say the same.
        assert moved == {slug: STATES[slug] for slug in ("ready", "onboarding")}
        profile_fields = {
            f.name for f in apps.get_model("directory", "PractitionerProfile")._meta.fields
        }
        assert not profile_fields & set(FIELDS)

        apps = migrate_to(BEFORE)
        restored = apps.get_model("directory", "PractitionerProfile").objects.values_list(
            "slug", *FIELDS
        )
        assert {row[0]: row[1:] for row in restored} == STATES
    finally:
        migrate_to_latest()


@pytest.mark.django_db(transaction=True)
def test_profiles_sharing_an_account_id_stop_the_migration_with_what_to_fix():
    apps = migrate_to(BEFORE)
    try:
        User = apps.get_model("accounts", "User")
        Profile = apps.get_model("directory", "PractitionerProfile")
        for slug in ("one", "two"):
            user = User.objects.create(email=f"{slug}@example.org", role="practitioner")
            Profile.objects.create(user=user, slug=slug, stripe_account_id="acct_shared")

        with pytest.raises(RuntimeError, match="acct_shared"):
            migrate_to(AFTER)
        # Nothing was dropped: the profile columns still hold the state to fix.
        apps = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        profiles = apps.get_model("directory", "PractitionerProfile").objects
        assert profiles.filter(stripe_account_id="acct_shared").count() == 2
        profiles.filter(slug="two").update(stripe_account_id="")
    finally:
        migrate_to_latest()
