"""GET /practitioners/ with available_from/available_to and ordering=next_available."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from directory.models import TimeOff
from tests.bookings.conftest import slots_on
from tests.factories import make_booking, make_practitioner, make_user, result_ids

pytestmark = pytest.mark.django_db

URL = "/api/v1/practitioners/"
BERLIN = "52.52,13.405"


def _day(n):
    return (timezone.now().date() + timedelta(days=n)).isoformat()


@pytest.fixture
def berlin(db):
    """Five practitioners near Berlin with different availability on day 5, one far away."""
    free = make_practitioner(name="Free Anna", min_notice_minutes=0, latitude=52.53)
    off = make_practitioner(name="Off Bert", min_notice_minutes=0, latitude=52.50)
    full = make_practitioner(
        name="Full Carl", min_notice_minutes=0, latitude=52.51, weekly_hours=(9, 10)
    )
    late = make_practitioner(
        name="Late Dora", min_notice_minutes=4 * 24 * 60, latitude=52.52, longitude=13.41
    )
    tokyo = make_practitioner(
        name="Far Emi",
        min_notice_minutes=0,
        latitude=35.68,
        longitude=139.69,
        timezone="Asia/Tokyo",
    )
    day5 = slots_on(off[1], off[2], 5)
    TimeOff.objects.create(
        practitioner=off[1],
        starts_at=day5[0].start - timedelta(hours=1),
        ends_at=day5[-1].end + timedelta(hours=1),
    )
    only = slots_on(full[1], full[2], 5)
    assert len(only) == 1
    make_booking(client=make_user(), service=full[2], start=only[0].start)
    return {"free": free, "off": off, "full": full, "late": late, "tokyo": tokyo}


def test_window_filters_to_practitioners_with_a_free_slot(api_client, berlin):
    day = _day(5)
    ids = result_ids(
        api_client.get(URL, {"near": BERLIN, "available_from": day, "available_to": day})
    )
    expected = {str(berlin[k][1].pk) for k in ("free", "late")}
    assert set(ids) == expected
    body = api_client.get(URL, {"near": BERLIN, "available_from": day, "available_to": day})
    assert body.json()["count"] == 2


def test_results_agree_with_the_slots_endpoint(api_client, berlin):
    for window in ((_day(5), _day(5)), (_day(1), _day(3)), (_day(0), _day(6))):
        params = {"near": BERLIN, "available_from": window[0], "available_to": window[1]}
        found = set(result_ids(api_client.get(URL, params)))
        for key, (_, profile, service) in berlin.items():
            slots = api_client.get(
                f"/api/v1/practitioners/{profile.pk}/slots/",
                {"service": service.pk, "from": window[0], "to": window[1]},
            ).json()["slots"]
            near = key != "tokyo"
            assert (str(profile.pk) in found) == (near and bool(slots)), (key, window)


def test_next_available_orders_by_first_free_slot(api_client, berlin):
    ids = result_ids(api_client.get(URL, {"near": BERLIN, "ordering": "next_available"}))
    # Late Dora is nearest but has four days' notice: she comes after the others who
    # have something sooner. Everybody within the radius stays in the list.
    assert ids[-1] == str(berlin["late"][1].pk)
    assert set(ids) == {str(berlin[k][1].pk) for k in ("free", "off", "full", "late")}
    windowed = result_ids(
        api_client.get(
            URL,
            {
                "near": BERLIN,
                "ordering": "next_available",
                "available_from": _day(5),
                "available_to": _day(5),
            },
        )
    )
    assert set(windowed) == {str(berlin[k][1].pk) for k in ("free", "late")}


def test_pagination_of_an_availability_search(api_client, berlin):
    params = {"near": BERLIN, "ordering": "next_available", "page_size": 1}
    first = api_client.get(URL, params).json()
    second = api_client.get(URL, {**params, "page": 2}).json()
    assert first["count"] == second["count"] == 4
    assert len(first["results"]) == len(second["results"]) == 1
    assert first["results"][0]["id"] != second["results"][0]["id"]
    assert first["results"][0]["distance_km"] is not None


def _day(days_ahead: int) -> str:
    return (timezone.now().date() + timedelta(days=days_ahead)).isoformat()


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"near": BERLIN, "available_from": "soon"}, "invalid"),
        ({"near": BERLIN, "available_from": _day(40), "available_to": _day(39)}, "invalid"),
        ({"near": BERLIN, "available_from": _day(30), "available_to": _day(180)}, "invalid"),
        ({"available_from": _day(30)}, "location_required"),
        ({"ordering": "next_available"}, "location_required"),
        ({"near": BERLIN, "ordering": "soonest"}, "invalid"),
    ],
)
def test_bad_availability_parameters_are_400(api_client, params, code):
    response = api_client.get(URL, params)
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_plain_search_is_unchanged(api_client, berlin):
    ids = result_ids(api_client.get(URL, {"near": BERLIN}))
    assert len(ids) == 4


def _first_slot(api_client, profile, service, window):
    slots = api_client.get(
        f"/api/v1/practitioners/{profile.pk}/slots/",
        {"service": service.pk, "from": window[0], "to": window[1]},
    ).json()["slots"]
    return datetime.fromisoformat(slots[0]["start"]) if slots else None


def test_each_result_says_when_it_is_next_available(api_client, berlin):
    window = (_day(1), _day(6))
    params = {"near": BERLIN, "available_from": window[0], "available_to": window[1]}
    results = api_client.get(URL, params).json()["results"]
    assert len(results) == 4
    by_id = {str(profile.pk): (profile, service) for _, profile, service in berlin.values()}
    for result in results:
        profile, service = by_id[result["id"]]
        start = datetime.fromisoformat(result["next_available"])
        assert start == _first_slot(api_client, profile, service, window)
        # Written in the practitioner's zone, with its offset.
        assert start.utcoffset() == start.astimezone(ZoneInfo(profile.timezone)).utcoffset()
        assert result["next_available"][19:] in ("+01:00", "+02:00")


def test_ordering_by_next_available_shows_the_times_it_orders_by(api_client, berlin):
    results = api_client.get(URL, {"near": BERLIN, "ordering": "next_available"}).json()
    starts = [datetime.fromisoformat(r["next_available"]) for r in results["results"]]
    assert len(starts) == 4 and starts == sorted(starts)
    late = next(r for r in results["results"] if r["id"] == str(berlin["late"][1].pk))
    assert datetime.fromisoformat(late["next_available"]) > timezone.now() + timedelta(days=4)
    # Asked for nothing about availability: nothing is computed or shown.
    plain = api_client.get(URL, {"near": BERLIN}).json()["results"]
    assert [r["next_available"] for r in plain] == [None] * 4


def test_next_available_is_in_each_practitioners_own_zone(api_client, berlin):
    tokyo = berlin["tokyo"][1]
    window = (_day(1), _day(6))
    results = api_client.get(
        URL,
        {"near": "35.68,139.69", "available_from": window[0], "available_to": window[1]},
    ).json()["results"]
    assert [r["id"] for r in results] == [str(tokyo.pk)]
    assert results[0]["next_available"].endswith("+09:00")
    assert datetime.fromisoformat(results[0]["next_available"]) == _first_slot(
        api_client, tokyo, berlin["tokyo"][2], window
    )
