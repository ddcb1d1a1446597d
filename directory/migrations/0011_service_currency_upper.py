from django.db import migrations
from django.db.models.functions import Lower, Upper

from directory.search_cards import rebuild_search_cards


def to_upper(apps, schema_editor):
    alias = schema_editor.connection.alias
    Service = apps.get_model("directory", "Service")
    Service.objects.using(alias).update(currency=Upper("currency"))
    # Search cards carry the cheapest price's currency.
    rebuild_search_cards(
        profile_model=apps.get_model("directory", "PractitionerProfile"),
        location_model=apps.get_model("directory", "Location"),
        service_model=Service,
        using=alias,
    )


def to_lower(apps, schema_editor):
    alias = schema_editor.connection.alias
    Service = apps.get_model("directory", "Service")
    Service.objects.using(alias).update(currency=Lower("currency"))
    rebuild_search_cards(
        profile_model=apps.get_model("directory", "PractitionerProfile"),
        location_model=apps.get_model("directory", "Location"),
        service_model=Service,
        using=alias,
    )


class Migration(migrations.Migration):
    # Not atomic: the search cards are rebuilt in batches that commit as they go (0006).
    atomic = False

    dependencies = [
        ("directory", "0010_photo"),
    ]

    operations = [
        migrations.RunPython(to_upper, to_lower),
    ]
