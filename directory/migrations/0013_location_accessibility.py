from django.db import migrations, models


class Migration(migrations.Migration):
    # Database defaults: app servers of the previous release insert locations without them.
    dependencies = [
        ("directory", "0012_service_currency_constraint"),
    ]

    operations = [
        migrations.AddField(
            model_name="location",
            name="wheelchair_accessible",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.AddField(
            model_name="location",
            name="parking",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.AddField(
            model_name="location",
            name="public_transport_nearby",
            field=models.BooleanField(db_default=False, default=False),
        ),
    ]
