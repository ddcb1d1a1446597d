"""The `moderators` group exists from migrate on: add a user to it (admin, Users) and they
moderate reviews without being staff."""

from django.db import migrations

MODERATORS_GROUP = "moderators"  # accounts.models.MODERATORS_GROUP, frozen here


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).get_or_create(name=MODERATORS_GROUP)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_email_phone_token_version"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        # Not removed on the way back: that would drop every moderator's membership.
        migrations.RunPython(create_group, migrations.RunPython.noop),
    ]
