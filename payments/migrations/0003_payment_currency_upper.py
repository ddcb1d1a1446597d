"""Currency codes are stored upper-case (ISO 4217) as bookings and services store them; only
the Stripe requests lower-case them."""

from django.db import migrations
from django.db.models.functions import Lower, Upper


def to_upper(apps, schema_editor):
    Payment = apps.get_model("payments", "Payment")
    Payment.objects.using(schema_editor.connection.alias).update(currency=Upper("currency"))


def to_lower(apps, schema_editor):
    Payment = apps.get_model("payments", "Payment")
    Payment.objects.using(schema_editor.connection.alias).update(currency=Lower("currency"))


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0002_connect_account"),
    ]

    operations = [
        migrations.RunPython(to_upper, to_lower),
    ]
