from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from tests.bookings.conftest import iso, slots_on
from tests.factories import make_booking, make_location, make_practitioner, make_user

pytestmark = pytest.mark.django_db


def _url(profile):
    return f"/api/v1/practitioners/{profile.pk}/slots/"


def _day(days_ahead):
    return (timezone.now().date() + timedelta(days=days_ahead)).isoformat()


def test_slots_for_a_published_practitioner_by_id_and_slug(api_client):
    _, profile, service = make_practitioner(timezone="America/New_York", min_notice_minutes=0)
    day = _day(5)
    params = {"service": service.pk, "from": day, "to": day}
    by_id = api_client.get(_url(profile), params)
    assert by_id.status_code == 200, by_id.json()
    body = by_id.json()
    assert body["timezone"] == body["tz"] == "America/New_York"
    assert len(body["slots"]) == 8  # 09:00-17:00, 60 minutes
    first = body["slots"][0]
    # The practitioner's wall-clock time with its offset, and the same instant in UTC.
    assert first["start"][:19] == f"{day}T09:00:00" and first["start"][19:] in ("-05:00", "-04:00")
    assert first["start_utc"].endswith("Z")
    assert datetime.fromisoformat(first["start"]) == datetime.fromisoformat(first["start_utc"])
    by_slug = api_client.get(f"/api/v1/practitioners/{profile.slug}/slots/", params)
    assert by_slug.json() == body


def test_booked_slot_disappears_with_its_buffer(api_client, client_user):
    _, profile, service = make_practitioner(min_notice_minutes=0, buffer_minutes=15)
    slots = slots_on(profile, service, 5)
    make_booking(client=client_user, service=service, start=slots[3].start)
    day = _day(5)
    body = api_client.get(_url(profile), {"service": service.pk, "from": day, "to": day}).json()
    starts = [s["start_utc"] for s in body["slots"]]
    # The booked hour goes, and so do its neighbours, which end/start inside the buffer.
    for gone in (slots[2], slots[3], slots[4]):
        assert iso(gone.start) not in starts
    assert iso(slots[1].start) in starts and iso(slots[5].start) in starts


def test_expired_hold_stops_counting_at_once(api_client, client_user):
    _, profile, service = make_practitioner(min_notice_minutes=0)
    slot = slots_on(profile, service, 5)[0]
    make_booking(
        client=client_user,
        service=service,
        start=slot.start,
        status="pending_payment",
        hold=timezone.now() - timedelta(seconds=1),
    )
    day = _day(5)
    body = api_client.get(_url(profile), {"service": service.pk, "from": day, "to": day}).json()
    assert iso(slot.start) in [s["start_utc"] for s in body["slots"]]


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-01-10", "to": "2026-01-09"},  # reversed
        {"from": "2026-01-01", "to": "2026-03-05"},  # 64 days
        {"from": "tomorrow", "to": "2026-01-09"},
        {"to": "2026-01-09"},
    ],
)
def test_bad_windows_are_400(api_client, params):
    _, profile, service = make_practitioner()
    response = api_client.get(_url(profile), {"service": service.pk, **params})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_62_day_window_is_allowed(api_client):
    _, profile, service = make_practitioner(min_notice_minutes=0)
    response = api_client.get(
        _url(profile), {"service": service.pk, "from": _day(0), "to": _day(61)}
    )
    assert response.status_code == 200
    assert len(response.json()["slots"]) > 400


def test_unpublished_or_unknown_practitioner_is_404_and_foreign_service_400(api_client):
    _, hidden, hidden_service = make_practitioner(published=False)
    _, profile, _ = make_practitioner(name="Other One")
    day = _day(3)
    assert (
        api_client.get(
            _url(hidden), {"service": hidden_service.pk, "from": day, "to": day}
        ).status_code
        == 404
    )
    assert (
        api_client.get(
            "/api/v1/practitioners/nobody/slots/",
            {"service": hidden_service.pk, "from": day, "to": day},
        ).status_code
        == 404
    )
    foreign = api_client.get(_url(profile), {"service": hidden_service.pk, "from": day, "to": day})
    assert foreign.status_code == 400 and "service" in foreign.json()["fields"]
    bad = api_client.get(_url(profile), {"service": "not-a-uuid", "from": day, "to": day})
    assert bad.status_code == 400


def test_time_off_removes_slots(api_client):
    from directory.models import TimeOff

    _, profile, service = make_practitioner(min_notice_minutes=0)
    slots = slots_on(profile, service, 4)
    TimeOff.objects.create(practitioner=profile, starts_at=slots[0].start, ends_at=slots[-1].end)
    day = _day(4)
    body = api_client.get(_url(profile), {"service": service.pk, "from": day, "to": day}).json()
    assert body["slots"] == []
    make_user()  # the endpoint is public; no user needed


def test_rules_tied_to_another_location_give_no_in_person_slots(api_client):
    from directory.models import AvailabilityRule

    _, profile, service = make_practitioner(min_notice_minutes=0, weekdays=())
    other = make_location(profile, city="Potsdam", latitude=52.4, longitude=13.06)
    weekday = (timezone.now().date() + timedelta(days=4)).weekday()
    AvailabilityRule.objects.create(
        practitioner=profile,
        weekday=weekday,
        start_minute=9 * 60,
        end_minute=11 * 60,
        location=other,
    )
    day = _day(4)
    params = {"service": service.pk, "from": day, "to": day}
    assert api_client.get(_url(profile), params).json()["slots"] == []
    AvailabilityRule.objects.create(
        practitioner=profile,
        weekday=weekday,
        start_minute=14 * 60,
        end_minute=16 * 60,
        location=service.location,
    )
    AvailabilityRule.objects.create(
        practitioner=profile, weekday=weekday, start_minute=17 * 60, end_minute=18 * 60
    )
    starts = [s["start"] for s in api_client.get(_url(profile), params).json()["slots"]]
    assert len(starts) == 3  # 14:00, 15:00 at the service's location; 17:00 anywhere


def test_slots_take_two_queries_however_busy_the_practitioner(api_client, client_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _, profile, service = make_practitioner(min_notice_minutes=0)
    day = _day(6)
    params = {"service": service.pk, "from": _day(1), "to": day}
    for slot in slots_on(profile, service, 6)[:4]:
        make_booking(client=client_user, service=service, start=slot.start)
    with CaptureQueriesContext(connection) as ctx:
        body = api_client.get(_url(profile), params).json()
    # The service with its practitioner, then rules, time off and bookings together.
    assert len(ctx.captured_queries) == 2
    assert len(body["slots"]) == 6 * 8 - 4
