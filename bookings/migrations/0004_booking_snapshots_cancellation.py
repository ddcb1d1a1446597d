from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0003_booking_no_overlap_postgres"),
        ("directory", "0012_service_currency_constraint"),
    ]

    operations = [
        migrations.AddField(
            model_name="booking",
            name="cancellation_reason",
            field=models.CharField(blank=True, db_default="", default="", max_length=500),
        ),
        migrations.AddField(
            model_name="booking",
            name="cancelled_by_role",
            field=models.CharField(
                blank=True,
                choices=[
                    ("client", "Client"),
                    ("practitioner", "Practitioner"),
                    ("staff", "Staff"),
                    ("system", "System"),
                ],
                max_length=20,
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="booking",
            name="location_address",
            field=models.CharField(blank=True, default="", max_length=400),
        ),
        migrations.AddField(
            model_name="booking",
            name="location_latitude",
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="booking",
            name="location_longitude",
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="booking",
            name="location_name",
            field=models.CharField(blank=True, default="", max_length=120),
        ),
        # Filled from each booking's service by 0005.
        migrations.AddField(
            model_name="booking",
            name="service_mode",
            field=models.CharField(
                choices=[("in_person", "In person"), ("online", "Online")],
                default="in_person",
                max_length=20,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="booking",
            name="service_name",
            field=models.CharField(default="", max_length=120),
            preserve_default=False,
        ),
    ]
