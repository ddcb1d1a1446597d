import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0011_service_currency_upper"),
    ]

    operations = [
        migrations.AlterField(
            model_name="service",
            name="currency",
            field=models.CharField(max_length=3),
        ),
        migrations.AddConstraint(
            model_name="service",
            constraint=models.CheckConstraint(
                condition=models.Q(("currency", django.db.models.functions.text.Upper("currency"))),
                name="service_currency_upper",
            ),
        ),
    ]
