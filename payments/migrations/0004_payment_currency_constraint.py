import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0003_payment_currency_upper"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.CheckConstraint(
                condition=models.Q(("currency", django.db.models.functions.text.Upper("currency"))),
                name="payment_currency_upper",
            ),
        ),
    ]
