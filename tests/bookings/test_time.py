"""Time at the API's edge: slots in the viewer's zone, instants that must carry an offset,
time off in the practitioner's wall-clock time across DST changes, offsets in every
response, and calendars in the practitioner's zone, in UTF-8.

The clock stands at CLOCK_START, ten days before Berlin moves to summer time (Sunday 31
March 2030, 02:00 CET -> 03:00 CEST); Auckland is on NZDT (+13:00) until 7 April.
"""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from icalendar import Calendar

from directory.models import TimeOff
from tests.bookings.conftest import BERLIN_DST_SUNDAY_10
from tests.factories import client_for, make_user

pytestmark = pytest.mark.django_db


def _slots(api, profile, service, day_from, day_to, **params):
    return api.get(
        f"/api/v1/practitioners/{profile.slug}/slots/",
        {"service": service.pk, "from": day_from, "to": day_to, **params},
    )


# --- slots --------------------------------------------------------------------------


def test_slots_without_tz_are_the_practitioners_days_with_their_offsets(clock, berlin, api_client):
    _, profile, service = berlin
    body = _slots(api_client, profile, service, "2030-03-30", "2030-03-31").json()

    assert (body["timezone"], body["tz"]) == ("Europe/Berlin", "Europe/Berlin")
    starts = [slot["start"] for slot in body["slots"]]
    assert len(starts) == 16
    # 09:00 on both days, before and after the change to summer time.
    assert starts[0] == "2030-03-30T09:00:00+01:00"
    assert starts[8] == "2030-03-31T09:00:00+02:00"
    assert body["slots"][8]["start_utc"] == "2030-03-31T07:00:00Z"
    assert body["slots"][8]["end"] == "2030-03-31T10:00:00+02:00"
    assert body["slots"][8]["end_utc"] == "2030-03-31T08:00:00Z"


def test_slots_in_the_viewers_zone_are_the_viewers_days(clock, berlin, api_client):
    _, profile, service = berlin
    auckland = ZoneInfo("Pacific/Auckland")

    body = _slots(
        api_client, profile, service, "2030-03-31", "2030-03-31", tz="Pacific/Auckland"
    ).json()

    assert (body["timezone"], body["tz"]) == ("Europe/Berlin", "Pacific/Auckland")
    # Auckland's 31 March is 30 March 11:00 to 31 March 11:00 UTC: the afternoon of Berlin's
    # last winter day and the morning of its first summer day.
    assert [slot["start_utc"] for slot in body["slots"]] == [
        *(f"2030-03-30T{hour:02d}:00:00Z" for hour in range(11, 16)),
        *(f"2030-03-31T{hour:02d}:00:00Z" for hour in range(7, 11)),
    ]
    for slot in body["slots"]:
        instant = datetime.fromisoformat(slot["start_utc"])
        assert slot["start"] == instant.astimezone(auckland).isoformat()
        assert datetime.fromisoformat(slot["end"]) - instant == timedelta(hours=1)
    assert body["slots"][0]["start"] == "2030-03-31T00:00:00+13:00"
    assert body["slots"][-1]["start"] == "2030-03-31T23:00:00+13:00"


def test_a_slot_is_booked_by_its_start_as_given(clock, berlin):
    _, profile, service = berlin
    client_api = client_for(make_user())
    slot = _slots(
        client_api, profile, service, "2030-03-31", "2030-03-31", tz="America/New_York"
    ).json()["slots"][0]

    booked = client_api.post(
        "/api/v1/bookings/", {"service": str(service.pk), "start": slot["start"]}
    )

    assert booked.status_code == 201, booked.json()
    assert booked.json()["start"] == slot["start_utc"]
    assert booked.json()["timezone"] == "Europe/Berlin"


@pytest.mark.parametrize("tz", ["Mars/Olympus_Mons", "CET+1", "../etc/passwd", "utc "])
def test_an_unknown_tz_is_400_timezone_invalid(clock, berlin, api_client, tz):
    _, profile, service = berlin
    response = _slots(api_client, profile, service, "2030-03-31", "2030-03-31", tz=tz)
    assert response.status_code == 400
    assert response.json()["code"] == "timezone_invalid" and "tz" in response.json()["fields"]


# --- instants in requests -----------------------------------------------------------


def test_a_booking_start_without_an_offset_is_400_timezone_required(clock, berlin):
    _, _, service = berlin
    client_api = client_for(make_user())
    response = client_api.post(
        "/api/v1/bookings/", {"service": str(service.pk), "start": "2030-03-31T10:00:00"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "timezone_required" and "start" in response.json()["fields"]
    assert client_api.get("/api/v1/bookings/").json()["count"] == 0


def test_a_new_start_without_an_offset_is_400_timezone_required(clock, berlin):
    _, _, service = berlin
    client_api = client_for(make_user())
    booking = client_api.post(
        "/api/v1/bookings/",
        {"service": str(service.pk), "start": "2030-03-31T10:00:00+02:00"},
    ).json()
    assert booking["start"] == BERLIN_DST_SUNDAY_10.isoformat().replace("+00:00", "Z")

    response = client_api.post(
        f"/api/v1/bookings/{booking['id']}/reschedule/", {"start": "2030-04-01T10:00:00"}
    )

    assert response.status_code == 400 and response.json()["code"] == "timezone_required"
    assert client_api.get(f"/api/v1/bookings/{booking['id']}/").json()["start"] == booking["start"]


# --- time off in the practitioner's wall-clock time -----------------------------------


def test_time_off_without_an_offset_is_the_practitioners_wall_time_across_dst(
    clock, berlin, api_client
):
    user, profile, service = berlin
    owner = client_for(user)

    response = owner.post(
        "/api/v1/me/time-off/",
        {"starts_at": "2030-03-31T00:00:00", "ends_at": "2030-04-01T00:00:00", "reason": "Away"},
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    # Midnight to midnight in Berlin: a day of 23 hours, shown in Berlin's offsets.
    assert (body["starts_at"], body["ends_at"]) == (
        "2030-03-31T00:00:00+01:00",
        "2030-04-01T00:00:00+02:00",
    )
    stored = TimeOff.objects.get(pk=body["id"])
    assert stored.starts_at == datetime(2030, 3, 30, 23, 0, tzinfo=UTC)
    assert stored.ends_at - stored.starts_at == timedelta(hours=23)
    assert owner.get("/api/v1/me/time-off/").json()["results"] == [body]
    days = _slots(api_client, profile, service, "2030-03-30", "2030-04-01").json()["slots"]
    assert {slot["start"][:10] for slot in days} == {"2030-03-30", "2030-04-01"}


def test_time_off_with_an_offset_is_taken_as_given(clock, berlin):
    user, _, _ = berlin
    owner = client_for(user)
    # 02:30 happens twice on 27 October; the offset says which.
    response = owner.post(
        "/api/v1/me/time-off/",
        {"starts_at": "2030-10-27T02:30:00+01:00", "ends_at": "2030-10-27T06:00:00Z"},
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["starts_at"], response.json()["ends_at"]) == (
        "2030-10-27T02:30:00+01:00",
        "2030-10-27T07:00:00+01:00",
    )


@pytest.mark.parametrize(
    ("starts_at", "code"),
    [
        ("2030-03-31T02:30:00", "local_time_nonexistent"),  # the clocks skip 02:00-03:00
        ("2030-10-27T02:30:00", "local_time_ambiguous"),  # ... and show it twice
    ],
)
def test_a_wall_time_a_dst_change_skips_or_repeats_is_400(clock, berlin, starts_at, code):
    user, _, _ = berlin
    owner = client_for(user)
    response = owner.post(
        "/api/v1/me/time-off/", {"starts_at": starts_at, "ends_at": "2030-11-01T00:00:00"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == code and "starts_at" in response.json()["fields"]
    assert owner.get("/api/v1/me/time-off/").json()["count"] == 0


def test_an_edit_of_time_off_reads_wall_time_too(clock, berlin):
    user, _, _ = berlin
    owner = client_for(user)
    created = owner.post(
        "/api/v1/me/time-off/",
        {"starts_at": "2030-03-30T00:00:00", "ends_at": "2030-03-30T12:00:00"},
    ).json()
    edited = owner.patch(
        f"/api/v1/me/time-off/{created['id']}/", {"ends_at": "2030-03-31T12:00:00"}
    )
    assert edited.status_code == 200, edited.json()
    assert edited.json()["ends_at"] == "2030-03-31T12:00:00+02:00"


# --- every datetime in a response carries an offset -----------------------------------

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_WITH_OFFSET = re.compile(r"(Z|[+-]\d{2}:\d{2})$")


def _datetimes(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _datetimes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _datetimes(item)
    elif isinstance(value, str) and _DATETIME.match(value):
        yield value


def test_every_datetime_in_responses_carries_an_offset(clock, berlin, api_client):
    user, profile, service = berlin
    owner = client_for(user)
    client_api = client_for(make_user())
    booking = client_api.post(
        "/api/v1/bookings/",
        {"service": str(service.pk), "start": "2030-03-31T10:00:00+02:00"},
    ).json()
    client_api.post(f"/api/v1/bookings/{booking['id']}/cancel/", {"reason": "Ill"})
    owner.post(
        "/api/v1/me/time-off/",
        {"starts_at": "2030-04-02T00:00:00", "ends_at": "2030-04-03T00:00:00"},
    )

    responses = [
        client_api.get("/api/v1/bookings/"),
        owner.get(f"/api/v1/bookings/{booking['id']}/"),
        owner.get("/api/v1/me/time-off/"),
        _slots(api_client, profile, service, "2030-03-30", "2030-04-01", tz="Asia/Kolkata"),
        _slots(api_client, profile, service, "2030-03-30", "2030-04-01"),
    ]
    found = [moment for response in responses for moment in _datetimes(response.json())]
    assert len(found) > 40
    assert [moment for moment in found if not _WITH_OFFSET.search(moment)] == []
    assert "+05:30" in {moment[-6:] for moment in found}  # Kolkata's half hour


# --- calendars ------------------------------------------------------------------------


def test_the_feed_is_utf8_in_the_practitioners_zone(clock, berlin):
    user, _, service = berlin
    client_api = client_for(make_user(name="Jürgen Groß"))
    client_api.post(
        "/api/v1/bookings/", {"service": str(service.pk), "start": "2030-03-31T10:00:00+02:00"}
    )

    response = client_for(user).get("/api/v1/me/calendar.ics", HTTP_ACCEPT="text/calendar")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode("utf-8")
    assert "Torstraße 1\\, 10119 Berlin\\, DE" in text
    assert "Jürgen Groß" in text
    assert "DTSTART;TZID=Europe/Berlin:20300331T100000" in text
    assert "X-WR-TIMEZONE:Europe/Berlin" in text
    calendar = Calendar.from_ical(response.content)
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Europe/Berlin"
    assert {str(part["tzname"]) for part in zone.subcomponents} == {"CET", "CEST"}
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == BERLIN_DST_SUNDAY_10
    assert str(event["location"]) == "Practice, Torstraße 1, 10119 Berlin, DE"


def test_the_secret_feed_is_the_same_calendar(clock, berlin, api_client):
    user, _, _ = berlin
    url = client_for(user).get("/api/v1/me/calendar-feed/").json()["url"]
    feed = api_client.get(url.removeprefix("http://testserver"), HTTP_ACCEPT="text/calendar")
    assert feed.status_code == 200
    assert feed["Content-Type"] == "text/calendar; charset=utf-8"
    assert "X-WR-TIMEZONE:Europe/Berlin" in feed.content.decode("utf-8")


def test_e_mailed_invitations_are_in_the_practitioners_zone(
    clock, berlin, django_capture_on_commit_callbacks
):
    _, _, service = berlin
    client_api = client_for(make_user())
    with django_capture_on_commit_callbacks(execute=True):
        client_api.post(
            "/api/v1/bookings/",
            {"service": str(service.pk), "start": "2030-03-31T10:00:00+02:00"},
        )
    assert "10:00 CEST" in mail.outbox[0].subject
    _, content, mimetype = mail.outbox[0].attachments[0]
    assert mimetype == "text/calendar; method=REQUEST; charset=utf-8"
    text = content.decode("utf-8") if isinstance(content, bytes) else content
    assert "DTSTART;TZID=Europe/Berlin:20300331T100000" in text
    assert "BEGIN:VTIMEZONE" in text and "Torstraße 1" in text


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00", "9999-12-31T23:30:00Z"])
def test_time_off_at_the_ends_of_the_calendar_is_400(clock, berlin, moment):
    user, _, _ = berlin
    response = client_for(user).post(
        "/api/v1/me/time-off/", {"starts_at": moment, "ends_at": "2030-04-01T00:00:00"}
    )
    assert response.status_code == 400 and "starts_at" in response.json()["fields"]
