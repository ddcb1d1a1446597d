"""Geo correctness: bounding boxes and SQL great-circle distance against geopy's geodesic."""

import math

import pytest
from geopy.distance import geodesic, great_circle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory.geo import Point, bounding_boxes, great_circle_km
from directory.models import Location
from directory.selectors import practitioner_search
from tests.factories import make_practitioner

# Haversine on a sphere vs the WGS-84 ellipsoid differ by at most ~0.56%.
TOLERANCE = 0.006

latitudes = st.one_of(
    st.floats(-90, 90),
    st.floats(80, 90),  # high north
    st.floats(-90, -80),  # high south
)
longitudes = st.one_of(
    st.floats(-180, 180),
    st.floats(170, 180),  # antimeridian, east side
    st.floats(-180, -170),  # antimeridian, west side
)
radii = st.one_of(st.floats(0.1, 500), st.sampled_from([1.0, 25.0, 100.0, 500.0]))


def in_boxes(boxes, latitude, longitude):
    return any(
        b.min_latitude <= latitude <= b.max_latitude
        and b.min_longitude <= longitude <= b.max_longitude
        for b in boxes
    )


@given(
    lat=latitudes,
    lng=longitudes,
    radius=radii,
    bearing=st.floats(0, 360),
    fraction=st.floats(0, 1),
)
@settings(max_examples=250, deadline=None)
def test_bounding_box_holds_every_point_of_the_circle(lat, lng, radius, bearing, fraction):
    center = Point(lat, lng)
    target = great_circle(kilometers=radius * fraction).destination((lat, lng), bearing)
    boxes = bounding_boxes(center, radius)
    assert in_boxes(boxes, target.latitude, target.longitude)
    for box in boxes:
        assert -90 <= box.min_latitude <= box.max_latitude <= 90
        assert -180 <= box.min_longitude <= box.max_longitude <= 180


def test_box_shapes_at_the_edges():
    assert len(bounding_boxes(Point(0, 179.9), 50)) == 2  # crosses the antimeridian
    assert len(bounding_boxes(Point(0, -179.9), 50)) == 2
    (polar,) = bounding_boxes(Point(89.9, 0), 50)  # contains the north pole
    assert (polar.min_longitude, polar.max_longitude, polar.max_latitude) == (-180, 180, 90)
    (south,) = bounding_boxes(Point(-89.5, 100), 100)
    assert south.min_latitude == -90 and south.max_longitude == 180
    (plain,) = bounding_boxes(Point(52.5, 13.4), 25)
    assert plain.max_longitude - plain.min_longitude < 1


@given(a_lat=latitudes, a_lng=longitudes, b_lat=latitudes, b_lng=longitudes)
@settings(max_examples=300, deadline=None)
def test_python_haversine_matches_geodesic(a_lat, a_lng, b_lat, b_lng):
    ours = great_circle_km(Point(a_lat, a_lng), Point(b_lat, b_lng))
    reference = geodesic((a_lat, a_lng), (b_lat, b_lng)).km
    assert ours == pytest.approx(reference, rel=TOLERANCE, abs=1e-6)


@pytest.fixture
def sixteen_locations(db):
    return [
        make_practitioner(name=f"Geo {i}", latitude=0, longitude=0)[1].locations.get()
        for i in range(16)
    ]


@given(
    lat=latitudes,
    lng=longitudes,
    radius=radii,
    bearings=st.lists(st.floats(0, 360), min_size=16, max_size=16),
    fractions=st.lists(st.floats(0, 2), min_size=16, max_size=16),
)
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.django_db
def test_search_agrees_with_geodesic(sixteen_locations, lat, lng, radius, bearings, fractions):
    """Locations scattered out to twice the radius in every direction, incl. across the
    antimeridian and over the poles: the SQL search finds exactly those within the radius."""
    expected_in, expected_out = set(), set()
    for location, bearing, fraction in zip(sixteen_locations, bearings, fractions, strict=True):
        target = geodesic(kilometers=radius * fraction).destination((lat, lng), bearing)
        # Rounded as the location services store coordinates.
        location.latitude = round(max(-90.0, min(90.0, target.latitude)), 7)
        location.longitude = round((target.longitude + 180) % 360 - 180, 7)
        d = geodesic((lat, lng), (location.latitude, location.longitude)).km
        location.geodesic_km = d
        if d <= radius * (1 - TOLERANCE):
            expected_in.add(location.practitioner_id)
        elif d >= radius * (1 + TOLERANCE):
            expected_out.add(location.practitioner_id)
    Location.objects.bulk_update(sixteen_locations, ["latitude", "longitude"])

    found = {
        p.pk: p.distance_km for p in practitioner_search(point=Point(lat, lng), radius_km=radius)
    }
    assert expected_in <= set(found)
    assert not expected_out & set(found)
    by_practitioner = {loc.practitioner_id: loc for loc in sixteen_locations}
    for pk, distance in found.items():
        reference = by_practitioner[pk].geodesic_km
        assert distance == pytest.approx(reference, rel=TOLERANCE, abs=1e-3)
    ordered = list(found.values())
    assert ordered == sorted(ordered)


@pytest.mark.django_db
def test_antipodal_distance_in_sql(api_client):
    """Online search computes distances without a box, up to half the earth around."""
    _, profile, service = make_practitioner(name="Antipode", latitude=-52.52, longitude=-166.595)
    service.mode = "online"
    service.location = None
    service.save()
    response = api_client.get("/api/v1/practitioners/", {"near": "52.52,13.405", "mode": "online"})
    (result,) = response.json()["results"]
    assert result["id"] == str(profile.pk)
    assert result["distance_km"] == pytest.approx(math.pi * 6371.009, rel=1e-6)


@pytest.mark.django_db
def test_tiny_coordinate_differences_do_not_underflow(api_client, practitioner_api):
    """PostgreSQL raises on float underflow: sin(1e-200)^2 must never be computed."""
    _, profile, _ = make_practitioner(name="Null Island", latitude=0.0, longitude=0.0)
    response = api_client.get("/api/v1/practitioners/", {"near": "1e-200,-1e-300"})
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(profile.pk)]
    assert response.json()["results"][0]["distance_km"] == 0.0
    response = practitioner_api.post(
        "/api/v1/me/locations/", {"city": "X", "latitude": 1e-200, "longitude": 5e-300}
    )
    assert response.status_code == 201
    assert (response.json()["latitude"], response.json()["longitude"]) == (0.0, 0.0)
