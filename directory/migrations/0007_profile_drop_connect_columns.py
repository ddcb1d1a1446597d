"""The Stripe Connect columns leave the profile: payments keeps them in its own table.

payments 0002_connect_account copies them first (it declares `run_before` this
migration), so directory needs no dependency on payments.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0006_rebuild_search_cards"),
    ]

    operations = [
        migrations.RemoveField(model_name="practitionerprofile", name=name)
        for name in ("charges_enabled", "details_submitted", "payouts_enabled", "stripe_account_id")
    ]
