"""Stripe Connect state moves from directory's PractitionerProfile into ConnectAccount.

Copies every profile that has any Connect state (an account id or a flag set); the
others need no row, the defaults say the same. Runs before directory 0007 drops the
profile's columns; reversing copies the rows back onto the profile before the table goes.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, Q

BATCH = 1000
FIELDS = ("stripe_account_id", "charges_enabled", "payouts_enabled", "details_submitted")


def _with_connect_state(profiles):
    return profiles.filter(
        ~Q(stripe_account_id="")
        | Q(charges_enabled=True)
        | Q(payouts_enabled=True)
        | Q(details_submitted=True)
    )


def copy_to_accounts(apps, schema_editor):
    Profile = apps.get_model("directory", "PractitionerProfile")
    ConnectAccount = apps.get_model("payments", "ConnectAccount")
    db = schema_editor.connection.alias
    # The new table holds an account id once; the profile columns never enforced that,
    # so a hand-edited duplicate stops the migration here, saying what to fix.
    shared = list(
        Profile.objects.using(db)
        .exclude(stripe_account_id="")
        .values("stripe_account_id")
        .annotate(profiles=Count("pk"))
        .filter(profiles__gt=1)
        .values_list("stripe_account_id", flat=True)[:20]
    )
    if shared:
        raise RuntimeError(
            "Several practitioner profiles share a Stripe Connect account id: "
            f"{', '.join(shared)}. Clear the wrong ones (directory_practitionerprofile."
            "stripe_account_id) and run the migration again."
        )
    rows = _with_connect_state(Profile.objects.using(db)).order_by("pk").values("pk", *FIELDS)
    last = None
    while True:
        batch = list((rows.filter(pk__gt=last) if last is not None else rows)[:BATCH])
        if not batch:
            return
        ConnectAccount.objects.using(db).bulk_create(
            ConnectAccount(practitioner_id=row["pk"], **{f: row[f] for f in FIELDS})
            for row in batch
        )
        last = batch[-1]["pk"]


def copy_to_profiles(apps, schema_editor):
    Profile = apps.get_model("directory", "PractitionerProfile")
    ConnectAccount = apps.get_model("payments", "ConnectAccount")
    db = schema_editor.connection.alias
    accounts = ConnectAccount.objects.using(db).order_by("pk")
    last = None
    while True:
        batch = list((accounts.filter(pk__gt=last) if last is not None else accounts)[:BATCH])
        if not batch:
            return
        profiles = []
        for account in batch:
            profile = Profile(pk=account.practitioner_id)
            for field in FIELDS:
                setattr(profile, field, getattr(account, field))
            profiles.append(profile)
        Profile.objects.using(db).bulk_update(profiles, FIELDS)
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0006_rebuild_search_cards"),
        ("payments", "0001_initial"),
    ]
    run_before = [("directory", "0007_profile_drop_connect_columns")]

    operations = [
        migrations.CreateModel(
            name="ConnectAccount",
            fields=[
                (
                    "practitioner",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        primary_key=True,
                        related_name="connect_account",
                        serialize=False,
                        to="directory.practitionerprofile",
                    ),
                ),
                ("stripe_account_id", models.CharField(blank=True, max_length=64)),
                ("charges_enabled", models.BooleanField(default=False)),
                ("payouts_enabled", models.BooleanField(default=False)),
                ("details_submitted", models.BooleanField(default=False)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("stripe_account_id", ""), _negated=True),
                        fields=("stripe_account_id",),
                        name="connect_account_id_unique",
                    )
                ],
            },
        ),
        migrations.RunPython(copy_to_accounts, copy_to_profiles),
    ]
