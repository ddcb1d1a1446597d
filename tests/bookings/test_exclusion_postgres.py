"""The PostgreSQL exclusion constraint backs up the application's overlap check."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from bookings.models import BookingStatus
from bookings.services import creation
from tests.bookings.conftest import free_start, iso
from tests.factories import make_booking, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_overlapping_active_bookings_are_refused_by_the_database(practitioner):
    _, profile, service = practitioner
    start = free_start(profile, service)
    make_booking(client=make_user(), service=service, start=start)
    with pytest.raises(IntegrityError, match="booking_no_overlap"), transaction.atomic():
        make_booking(client=make_user(), service=service, start=start + timedelta(minutes=30))
    # Inactive bookings do not take part.
    make_booking(
        client=make_user(),
        service=service,
        start=start + timedelta(minutes=30),
        status=BookingStatus.CANCELLED,
    )


def test_a_race_lost_at_the_constraint_is_a_409(client_api, practitioner, monkeypatch):
    """As if the competitor committed between our check and our insert."""
    _, profile, service = practitioner
    start = free_start(profile, service)
    make_booking(
        client=make_user(),
        service=service,
        start=start,
        status=BookingStatus.PENDING_PAYMENT,
        hold=timezone.now() + timedelta(minutes=5),
    )

    def check_without_seeing_the_competitor(**kwargs):
        end = kwargs["start"] + timedelta(minutes=service.duration_minutes)
        return end, kwargs["start"], end

    monkeypatch.setattr(creation, "require_free_slot", check_without_seeing_the_competitor)
    response = client_api.post(
        "/api/v1/bookings/", {"service": str(service.pk), "start": iso(start)}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "slot_unavailable"


def test_the_constraint_covers_exactly_the_active_statuses():
    """Migration 0003 spells the statuses out; they must stay bookings.models' active ones."""
    from django.db import connection

    from bookings.models import ACTIVE_STATUSES, BookingStatus

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = %s",
            ["booking_no_overlap"],
        )
        (definition,) = cursor.fetchone()
    named = {status for status in BookingStatus.values if f"'{status}'" in definition}
    assert named == set(ACTIVE_STATUSES)
