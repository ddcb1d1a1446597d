from django.db import migrations

from directory.search_index import rebuild_search_index


def build(apps, schema_editor):
    rebuild_search_index(
        profile_model=apps.get_model("directory", "PractitionerProfile"),
        using=schema_editor.connection.alias,
    )


class Migration(migrations.Migration):
    # Apart from 0014 and not atomic: each batch commits, so profiles stay editable while
    # the index is built.
    atomic = False

    dependencies = [
        ("directory", "0014_search_index"),
    ]

    operations = [
        migrations.RunPython(build, migrations.RunPython.noop),
    ]
