import logging
from datetime import timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from bookings.models import BookingStatus
from tests.bookings.conftest import free_start
from tests.factories import client_for, make_booking, make_user

pytestmark = pytest.mark.django_db


def _events(content: bytes):
    cal = Calendar.from_ical(content)
    assert cal["version"] == "2.0"
    assert "method" not in cal  # a subscribed feed, not an invitation
    return cal.walk("VEVENT")


def test_practitioner_feed_lists_upcoming_confirmed_bookings(practitioner, client_user):
    user, profile, service = practitioner
    upcoming = make_booking(client=client_user, service=service, start=free_start(profile, service))
    make_booking(
        client=client_user,
        service=service,
        start=timezone.now() - timedelta(days=2),
        status=BookingStatus.COMPLETED,
    )
    make_booking(
        client=client_user,
        service=service,
        start=free_start(profile, service, index=3),
        status=BookingStatus.CANCELLED,
    )
    response = client_for(user).get("/api/v1/me/calendar.ics", HTTP_ACCEPT="text/calendar")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events = _events(response.content)
    assert [str(e["uid"]) for e in events] == [f"booking-{upcoming.pk}@stillpoint"]
    assert events[0].decoded("dtstart") == upcoming.start
    # At the wall-clock time of the practitioner's zone, named by TZID.
    assert events[0]["dtend"].params["TZID"] == "Europe/Berlin"
    assert events[0].decoded("dtend") == upcoming.end
    assert client_user.email in str(events[0]["attendee"])


def test_feed_needs_a_practitioner(client_api, api_client):
    assert client_api.get("/api/v1/me/calendar.ics").status_code == 403
    assert api_client.get("/api/v1/me/calendar.ics").status_code == 401


def test_secret_feed_url_works_without_auth_and_rotates(practitioner, client_user, api_client):
    user, profile, service = practitioner
    make_booking(client=client_user, service=service, start=free_start(profile, service))
    practitioner_api = client_for(user)
    url = practitioner_api.get("/api/v1/me/calendar-feed/").json()["url"]
    assert practitioner_api.get("/api/v1/me/calendar-feed/").json()["url"] == url  # stable
    path = url.removeprefix("http://testserver")
    feed = api_client.get(path, HTTP_ACCEPT="text/calendar")
    assert feed.status_code == 200 and len(_events(feed.content)) == 1

    new_url = practitioner_api.post("/api/v1/me/calendar-feed/").json()["url"]
    assert new_url != url
    assert api_client.get(path).status_code == 404
    assert api_client.get(path, HTTP_ACCEPT="text/calendar").status_code == 404
    assert api_client.get(new_url.removeprefix("http://testserver")).status_code == 200
    assert api_client.get("/api/v1/calendar/not-a-token.ics").status_code == 404


def test_client_cannot_get_a_feed_url(client_api):
    assert client_api.get("/api/v1/me/calendar-feed/").status_code == 403
    make_user()


def test_the_request_log_never_shows_the_feed_secret(practitioner, api_client, caplog):
    user, _profile, _service = practitioner
    url = client_for(user).get("/api/v1/me/calendar-feed/").json()["url"]
    path = url.removeprefix("http://testserver")
    token = path.rsplit("/", 1)[1].removesuffix(".ics")
    caplog.set_level(logging.INFO, logger="stillpoint.request")

    assert api_client.get(path, HTTP_ACCEPT="text/calendar").status_code == 200

    logged = [r for r in caplog.records if r.name == "stillpoint.request"]
    assert logged and logged[-1].path == "/api/v1/calendar/***.ics"
    assert token not in caplog.text
