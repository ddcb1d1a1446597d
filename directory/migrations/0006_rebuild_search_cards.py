from django.db import migrations

from directory.search_cards import rebuild_search_cards


def rebuild(apps, schema_editor):
    rebuild_search_cards(
        profile_model=apps.get_model("directory", "PractitionerProfile"),
        location_model=apps.get_model("directory", "Location"),
        service_model=apps.get_model("directory", "Service"),
        using=schema_editor.connection.alias,
    )


class Migration(migrations.Migration):
    # Apart from 0005 and not atomic: each batch commits, so the profiles stay readable
    # (searches, bookings) while the cards are built, instead of locked until the end.
    atomic = False

    dependencies = [
        ("directory", "0005_profile_search_card"),
    ]

    operations = [
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]
