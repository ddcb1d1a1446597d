"""Existing bookings become documents (bookings 0004-0006) and every stored currency code
becomes upper-case (directory 0011/0012, payments 0003/0004)."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.migrations import migrate_to, migrate_to_latest

BEFORE = [
    ("bookings", "0003_booking_no_overlap_postgres"),
    ("directory", "0010_photo"),
    ("payments", "0002_connect_account"),
]
START = datetime(2030, 5, 6, 8, 0, tzinfo=UTC)


def _old_rows(apps):
    User = apps.get_model("accounts", "User")
    Profile = apps.get_model("directory", "PractitionerProfile")
    Location = apps.get_model("directory", "Location")
    Service = apps.get_model("directory", "Service")
    Booking = apps.get_model("bookings", "Booking")
    Payment = apps.get_model("payments", "Payment")
    owner = User.objects.create(email="mira@example.org", role="practitioner", name="Mira")
    client = User.objects.create(email="anna@example.org", role="client", name="Anna")
    staff = User.objects.create(email="staff@example.org", role="client", is_staff=True)
    profile = Profile.objects.create(user=owner, slug="mira", timezone="Europe/Berlin")
    location = Location.objects.create(
        practitioner=profile,
        name="Practice",
        address_line="Torstraße 1",
        postal_code="10119",
        city="Berlin",
        country="DE",
        latitude=52.529,
        longitude=13.401,
    )
    in_person = Service.objects.create(
        practitioner=profile,
        name="Session",
        duration_minutes=60,
        price_amount=9000,
        currency="eur",
        location=location,
    )
    online = Service.objects.create(
        practitioner=profile,
        name="Video call",
        duration_minutes=30,
        price_amount=3000,
        currency="usd",
        mode="online",
    )

    def booking(service, *, status="confirmed", cancelled_by=None, day=0):
        start = START + timedelta(days=day)
        end = start + timedelta(minutes=service.duration_minutes)
        return Booking.objects.create(
            client=client,
            practitioner=profile,
            service=service,
            location=service.location,
            status=status,
            start=start,
            end=end,
            blocked_start=start,
            blocked_end=end,
            duration_minutes=service.duration_minutes,
            amount=service.price_amount,
            currency=service.currency,
            cancelled_by=cancelled_by,
        ).pk

    ids = {
        "confirmed": booking(in_person),
        "online": booking(online, day=1),
        "by_client": booking(in_person, status="cancelled", cancelled_by=client, day=2),
        "by_owner": booking(in_person, status="cancelled", cancelled_by=owner, day=3),
        "by_staff": booking(in_person, status="cancelled", cancelled_by=staff, day=4),
        "by_nobody": booking(in_person, status="cancelled", day=5),
    }
    Payment.objects.create(
        booking_id=ids["confirmed"],
        payment_intent_id="pi_old",
        client_secret="pi_old_secret",
        stripe_customer_id="cus_old",
        amount=9000,
        currency="eur",
    )
    return ids, in_person


@pytest.mark.django_db(transaction=True)
def test_existing_bookings_get_snapshots_roles_and_upper_case_currencies():
    apps = migrate_to(BEFORE)
    try:
        ids, in_person = _old_rows(apps)

        migrate_to_latest()

        from bookings.models import Booking
        from directory.models import PractitionerProfile, Service
        from payments.models import Payment

        rows = {
            pk: Booking.objects.values(
                "service_name",
                "service_mode",
                "location_name",
                "location_address",
                "location_latitude",
                "location_longitude",
                "cancelled_by_role",
                "currency",
                "cancellation_reason",
            ).get(pk=pk)
            for pk in ids.values()
        }
        assert rows[ids["confirmed"]] == {
            "service_name": "Session",
            "service_mode": "in_person",
            "location_name": "Practice",
            "location_address": "Torstraße 1, 10119 Berlin, DE",
            "location_latitude": 52.529,
            "location_longitude": 13.401,
            "cancelled_by_role": None,
            "currency": "EUR",
            "cancellation_reason": "",
        }
        assert rows[ids["online"]] | {"cancelled_by_role": None} == {
            "service_name": "Video call",
            "service_mode": "online",
            "location_name": "",
            "location_address": "",
            "location_latitude": None,
            "location_longitude": None,
            "cancelled_by_role": None,
            "currency": "USD",
            "cancellation_reason": "",
        }
        roles = {name: rows[pk]["cancelled_by_role"] for name, pk in ids.items()}
        assert roles == {
            "confirmed": None,
            "online": None,
            "by_client": "client",
            "by_owner": "practitioner",
            "by_staff": "staff",
            "by_nobody": "system",
        }
        assert sorted(Service.objects.values_list("currency", flat=True)) == ["EUR", "USD"]
        assert Payment.objects.get().currency == "EUR"
        card = PractitionerProfile.objects.get(slug="mira").search_card
        assert card["cheapest"]["in_person"] == {"price_amount": 9000, "currency": "EUR"}
        assert Service.objects.get(pk=in_person.pk).currency == "EUR"
    finally:
        migrate_to_latest()
