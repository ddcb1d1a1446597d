"""Becoming staff or a moderator as the README says: `createsuperuser` without prompts, and
the `moderators` group that migrate creates."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.models import MODERATORS_GROUP, User
from tests.factories import client_for, make_user
from tests.migrations import migrate_to, migrate_to_latest


@pytest.mark.django_db
def test_createsuperuser_runs_without_prompts_from_the_environment(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "root@example.org")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "calm-Waters-2026")
    monkeypatch.setenv("DJANGO_SUPERUSER_NAME", "Ruth Root")

    call_command("createsuperuser", interactive=False, verbosity=0)

    user = User.objects.get(email="root@example.org")
    assert (user.name, user.is_staff, user.is_superuser) == ("Ruth Root", True, True)
    assert user.check_password("calm-Waters-2026")
    me = client_for(user).get("/api/v1/me/").json()
    assert (me["is_staff"], me["is_moderator"]) == (True, True)


@pytest.mark.django_db
def test_a_member_of_the_moderators_group_is_a_moderator():
    user = make_user()
    assert client_for(user).get("/api/v1/me/").json()["is_moderator"] is False
    user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    assert client_for(user).get("/api/v1/me/").json()["is_moderator"] is True


@pytest.mark.django_db(transaction=True)
def test_migrate_creates_the_moderators_group_once():
    try:
        apps = migrate_to([("accounts", "0002_email_phone_token_version")])
        apps.get_model("auth", "Group").objects.filter(name=MODERATORS_GROUP).delete()

        apps = migrate_to([("accounts", "0003_moderators_group")])
        groups = apps.get_model("auth", "Group").objects.filter(name=MODERATORS_GROUP)
        assert groups.count() == 1

        # Back and forth again: the group (and its members) stay, and there is still one.
        migrate_to([("accounts", "0002_email_phone_token_version")])
        apps = migrate_to([("accounts", "0003_moderators_group")])
        assert apps.get_model("auth", "Group").objects.filter(name=MODERATORS_GROUP).count() == 1
    finally:
        migrate_to_latest()
