import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0005_booking_snapshots_backfill"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="booking",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "cancelled"), _negated=True),
                    ("cancelled_by_role__isnull", False),
                    _connector="OR",
                ),
                name="booking_cancelled_says_by_whom",
            ),
        ),
        migrations.AddConstraint(
            model_name="booking",
            constraint=models.CheckConstraint(
                condition=models.Q(("currency", django.db.models.functions.text.Upper("currency"))),
                name="booking_currency_upper",
            ),
        ),
        migrations.AddConstraint(
            model_name="booking",
            constraint=models.CheckConstraint(
                condition=models.Q(("service_mode__in", ["in_person", "online"])),
                name="booking_service_mode",
            ),
        ),
        migrations.AddConstraint(
            model_name="booking",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("location_latitude__isnull", True), ("location_longitude__isnull", True)),
                    models.Q(
                        ("location_latitude__isnull", False), ("location_longitude__isnull", False)
                    ),
                    _connector="OR",
                ),
                name="booking_location_point",
            ),
        ),
    ]
