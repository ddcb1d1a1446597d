"""Existing bookings get the snapshots new ones take at creation: their service's name and
mode, their location's name, address and point; who cancelled the cancelled ones; and
upper-case currency codes."""

from django.db import migrations
from django.db.models import F, Q
from django.db.models.functions import Lower, Upper


def _address(location) -> str:
    # directory.models.Location.address as of this migration.
    town = " ".join(part for part in (location.postal_code, location.city) if part)
    parts = (location.address_line, town, location.region, location.country)
    return ", ".join(part for part in parts if part)


def backfill(apps, schema_editor):
    alias = schema_editor.connection.alias
    Booking = apps.get_model("bookings", "Booking")
    Service = apps.get_model("directory", "Service")
    Location = apps.get_model("directory", "Location")
    bookings = Booking.objects.using(alias)
    booked_services = bookings.values("service_id").distinct()
    for service in Service.objects.using(alias).filter(pk__in=booked_services).iterator():
        bookings.filter(service_id=service.pk).update(
            service_name=service.name, service_mode=service.mode
        )
    booked_locations = bookings.exclude(location_id=None).values("location_id").distinct()
    for location in Location.objects.using(alias).filter(pk__in=booked_locations).iterator():
        bookings.filter(location_id=location.pk).update(
            location_name=location.name,
            location_address=_address(location),
            location_latitude=location.latitude,
            location_longitude=location.longitude,
        )
    cancelled = bookings.filter(status="cancelled", cancelled_by_role=None)
    cancelled.filter(cancelled_by_id=F("client_id")).update(cancelled_by_role="client")
    cancelled.filter(cancelled_by_id=F("practitioner__user_id")).update(
        cancelled_by_role="practitioner"
    )
    cancelled.filter(~Q(cancelled_by_id=None)).update(cancelled_by_role="staff")
    cancelled.update(cancelled_by_role="system")
    bookings.update(currency=Upper("currency"))


def undo(apps, schema_editor):
    Booking = apps.get_model("bookings", "Booking")
    Booking.objects.using(schema_editor.connection.alias).update(currency=Lower("currency"))


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0004_booking_snapshots_cancellation"),
    ]

    operations = [
        migrations.RunPython(backfill, undo),
    ]
