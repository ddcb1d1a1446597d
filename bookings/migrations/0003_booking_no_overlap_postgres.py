"""PostgreSQL only: no two active bookings of a practitioner may overlap, in the database.

The application already locks the practitioner row and re-checks; this constraint is
the backstop. It cannot see `now()`, so a pending booking whose hold ran out still
counts here: booking_create marks such holds `expired` before inserting. SQLite has
no exclusion constraints and relies on its IMMEDIATE transactions instead.
"""

from django.db import migrations

CONSTRAINT = "booking_no_overlap"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"""
        ALTER TABLE bookings_booking ADD CONSTRAINT {CONSTRAINT}
        EXCLUDE USING gist (
            practitioner_id WITH =,
            tstzrange(blocked_start, blocked_end, '[)') WITH &&
        ) WHERE (status IN ('pending_payment', 'confirmed'))
        """
    )


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE bookings_booking DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("bookings", "0002_idempotency_calendar")]

    operations = [migrations.RunPython(add_constraint, drop_constraint)]
