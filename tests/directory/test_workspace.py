"""The practitioner workspace: /api/v1/me/{profile,locations,services,availability,time-off}/."""

import pytest

from accounts.models import Role
from directory.models import AvailabilityRule, Location, Service
from tests.factories import client_for, make_location, make_practitioner, make_service, make_user

pytestmark = pytest.mark.django_db


def _location(api, **extra):
    body = {"name": "Practice", "city": "Berlin", "latitude": 52.52, "longitude": 13.405}
    response = api.post("/api/v1/me/locations/", {**body, **extra}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def _service(api, location_id, **extra):
    body = {
        "name": "Session",
        "duration_minutes": 60,
        "price": {"amount": 9000, "currency": "EUR"},
        "mode": "in_person",
        "location": location_id,
    }
    response = api.post("/api/v1/me/services/", {**body, **extra}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


# --- profile -----------------------------------------------------------------------


def test_profile_get_and_patch(practitioner_api):
    response = practitioner_api.get("/api/v1/me/profile/")
    assert response.status_code == 200
    body = response.json()
    assert body["is_published"] is False and body["slug"]
    assert body["min_notice_minutes"] == 120 and body["slot_interval_minutes"] is None

    response = practitioner_api.patch(
        "/api/v1/me/profile/",
        {
            "headline": "Gentle craniosacral therapy",
            "modalities": ["reiki", "craniosacral-therapy"],
            "languages": ["de", "en"],
            "timezone": "Europe/Berlin",
            "offers_online": True,
            "buffer_minutes": 15,
            "slot_interval_minutes": 30,
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["modalities"] == ["craniosacral-therapy", "reiki"]
    assert body["languages"] == ["de", "en"]
    assert body["timezone"] == "Europe/Berlin" and body["buffer_minutes"] == 15
    assert practitioner_api.get("/api/v1/me/profile/").json() == body


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("languages", ["xx"]),
        ("languages", ["english"]),
        ("timezone", "Mars/Olympus"),
        ("modalities", ["not-a-modality"]),
        ("min_notice_minutes", 10081),
        ("min_notice_minutes", -1),
        ("max_advance_days", 0),
        ("max_advance_days", 731),
        ("buffer_minutes", 241),
        ("slot_interval_minutes", 4),
        ("slot_interval_minutes", 481),
        ("cancellation_window_hours", 721),
        ("late_cancellation_refund_percent", 101),
        ("display_name", "x" * 121),
    ],
)
def test_profile_rejects_bad_values(practitioner_api, field, value):
    response = practitioner_api.patch("/api/v1/me/profile/", {field: value}, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "invalid"
    # A list item's error is under its position: `languages.0`.
    assert [key.split(".")[0] for key in response.json()["fields"]] == [field]


def test_publishing_needs_name_service_and_rule(practitioner_api, practitioner_user):
    practitioner_api.patch("/api/v1/me/profile/", {"display_name": ""}, format="json")
    response = practitioner_api.patch("/api/v1/me/profile/", {"is_published": True}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "profile_incomplete"
    assert body["missing"] == ["display_name", "active_service", "availability_rule"]

    practitioner_api.patch("/api/v1/me/profile/", {"display_name": "Mira Lind"}, format="json")
    location = _location(practitioner_api)
    service = _service(practitioner_api, location["id"])
    response = practitioner_api.patch("/api/v1/me/profile/", {"is_published": True}, format="json")
    assert response.status_code == 409 and response.json()["missing"] == ["availability_rule"]

    practitioner_api.post(
        "/api/v1/me/availability/",
        {"weekday": 0, "start_time": "09:00", "end_time": "17:00"},
        format="json",
    )
    practitioner_api.delete(f"/api/v1/me/services/{service['id']}/")
    response = practitioner_api.patch("/api/v1/me/profile/", {"is_published": True}, format="json")
    assert response.status_code == 409 and response.json()["missing"] == ["active_service"]

    _service(practitioner_api, location["id"])
    response = practitioner_api.patch("/api/v1/me/profile/", {"is_published": True}, format="json")
    assert response.status_code == 200 and response.json()["is_published"] is True
    assert practitioner_user.practitioner_profile.__class__.objects.get(
        user=practitioner_user
    ).is_published


# --- locations ---------------------------------------------------------------------


def test_location_crud_with_coordinates(practitioner_api):
    location = _location(practitioner_api, country="de", postal_code="10115")
    assert location["country"] == "DE" and location["latitude"] == 52.52
    listed = practitioner_api.get("/api/v1/me/locations/").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == location["id"]
    url = f"/api/v1/me/locations/{location['id']}/"
    response = practitioner_api.patch(url, {"name": "Studio"}, format="json")
    assert response.status_code == 200 and response.json()["name"] == "Studio"
    assert response.json()["latitude"] == 52.52  # no address change: no geocoding


def test_location_without_coordinates_is_geocoded_offline(practitioner_api, offline_geocoder):
    response = practitioner_api.post(
        "/api/v1/me/locations/",
        {"name": "Praxis", "address_line": "Hauptstr. 1", "city": "München", "country": "DE"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["latitude"] == pytest.approx(48.137, abs=0.05)
    assert body["longitude"] == pytest.approx(11.575, abs=0.05)

    url = f"/api/v1/me/locations/{body['id']}/"
    response = practitioner_api.patch(url, {"city": "Hamburg"}, format="json")
    assert response.status_code == 200
    assert response.json()["latitude"] == pytest.approx(53.55, abs=0.05)


def test_location_by_us_zip_code(practitioner_api, offline_geocoder):
    response = practitioner_api.post(
        "/api/v1/me/locations/", {"postal_code": "10001", "country": "US"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["latitude"] == pytest.approx(40.75, abs=0.05)


def test_location_that_cannot_be_geocoded_is_400(practitioner_api, offline_geocoder):
    response = practitioner_api.post(
        "/api/v1/me/locations/", {"city": "Nowhereville Qwerty", "country": "DE"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "address_not_found"
    response = practitioner_api.post("/api/v1/me/locations/", {"name": "x"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "address_not_found"


@pytest.mark.parametrize(
    "body",
    [
        {"city": "Berlin", "latitude": 91, "longitude": 10},
        {"city": "Berlin", "latitude": 10, "longitude": -181},
        {"city": "Berlin", "latitude": 10},
        {"city": "Berlin", "country": "XX", "latitude": 1, "longitude": 1},
        {"city": "Berlin", "latitude": "north", "longitude": 1},
    ],
)
def test_location_bad_input(practitioner_api, body):
    response = practitioner_api.post("/api/v1/me/locations/", body, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "invalid"


def test_deleting_a_location_deactivates_it_and_its_services(practitioner_api):
    location = _location(practitioner_api)
    service = _service(practitioner_api, location["id"])
    rule = practitioner_api.post(
        "/api/v1/me/availability/",
        {"weekday": 1, "start_time": "09:00", "end_time": "12:00", "location": location["id"]},
        format="json",
    ).json()
    response = practitioner_api.delete(f"/api/v1/me/locations/{location['id']}/")
    assert response.status_code == 204
    # Kept for history, but gone from the workspace and unusable.
    stored = Location.objects.get(pk=location["id"])
    assert stored.is_active is False
    assert Service.objects.get(pk=service["id"]).is_active is False
    assert not AvailabilityRule.objects.filter(pk=rule["id"]).exists()
    assert practitioner_api.get("/api/v1/me/locations/").json()["count"] == 0
    assert practitioner_api.get(f"/api/v1/me/locations/{location['id']}/").status_code == 404
    response = practitioner_api.patch(
        f"/api/v1/me/services/{service['id']}/", {"is_active": True}, format="json"
    )
    assert response.status_code == 400 and "location" in response.json()["fields"]


# --- services ----------------------------------------------------------------------


def test_service_crud_and_deactivation(practitioner_api):
    location = _location(practitioner_api)
    service = _service(practitioner_api, location["id"])
    assert service["price"] == {"amount": 9000, "currency": "EUR", "display": "€90.00"}
    assert service["is_active"] is True
    url = f"/api/v1/me/services/{service['id']}/"
    response = practitioner_api.patch(
        url, {"price": {"amount": 0, "currency": "EUR"}}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["price"] == {"amount": 0, "currency": "EUR", "display": "€0.00"}
    assert practitioner_api.delete(url).status_code == 204
    stored = practitioner_api.get(url).json()
    assert stored["is_active"] is False  # kept: bookings point at it
    response = practitioner_api.patch(url, {"is_active": True}, format="json")
    assert response.status_code == 200 and response.json()["is_active"] is True


def test_online_service_needs_no_location(practitioner_api):
    response = practitioner_api.post(
        "/api/v1/me/services/",
        {
            "name": "Video call",
            "duration_minutes": 30,
            "price": {"amount": 3000, "currency": "USD"},
            "mode": "online",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["location"] is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"duration_minutes": 14}, "duration_minutes"),
        ({"duration_minutes": 481}, "duration_minutes"),
        ({"price": {"amount": -1, "currency": "EUR"}}, "price.amount"),
        ({"price": {"amount": 9000, "currency": "euro"}}, "price.currency"),
        ({"price": {"amount": 9000, "currency": "XYZ"}}, "price.currency"),
        ({"mode": "telepathy"}, "mode"),
        ({"location": None}, "location"),
    ],
)
def test_service_bad_input(practitioner_api, change, field):
    location = _location(practitioner_api)
    body = {
        "name": "Session",
        "duration_minutes": 60,
        "price": {"amount": 9000, "currency": "EUR"},
        "mode": "in_person",
        "location": location["id"],
        **change,
    }
    response = practitioner_api.post("/api/v1/me/services/", body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"]


def test_service_cannot_use_another_practitioners_location(practitioner_api):
    _, _, other_service = make_practitioner(name="Other One")
    response = practitioner_api.post(
        "/api/v1/me/services/",
        {
            "name": "Session",
            "duration_minutes": 60,
            "price": {"amount": 100, "currency": "EUR"},
            "mode": "in_person",
            "location": str(other_service.location_id),
        },
        format="json",
    )
    assert response.status_code == 400 and "location" in response.json()["fields"]


# --- availability ------------------------------------------------------------------


def test_availability_rules_in_hh_mm_stored_as_minutes(practitioner_api, practitioner_user):
    response = practitioner_api.post(
        "/api/v1/me/availability/",
        {"weekday": 6, "start_time": "18:30", "end_time": "24:00"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["start_time"] == "18:30" and body["end_time"] == "24:00"
    assert body["location"] is None
    rule = AvailabilityRule.objects.get(pk=body["id"])
    assert (rule.start_minute, rule.end_minute) == (1110, 1440)

    url = f"/api/v1/me/availability/{body['id']}/"
    response = practitioner_api.patch(url, {"start_time": "08:00"}, format="json")
    assert response.status_code == 200 and response.json()["start_time"] == "08:00"
    assert practitioner_api.get("/api/v1/me/availability/").json()["count"] == 1
    assert practitioner_api.delete(url).status_code == 204
    assert not AvailabilityRule.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"weekday": 7, "start_time": "09:00", "end_time": "10:00"},
        {"weekday": -1, "start_time": "09:00", "end_time": "10:00"},
        {"weekday": 0, "start_time": "9:00", "end_time": "10:00"},
        {"weekday": 0, "start_time": "09:00", "end_time": "24:30"},
        {"weekday": 0, "start_time": "24:00", "end_time": "24:00"},
        {"weekday": 0, "start_time": "10:00", "end_time": "10:00"},
        {"weekday": 0, "start_time": "11:00", "end_time": "10:00"},
        {"weekday": 0, "start_time": "ab:cd", "end_time": "10:00"},
    ],
)
def test_availability_bad_input(practitioner_api, body):
    response = practitioner_api.post("/api/v1/me/availability/", body, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "invalid"


def test_overlapping_rules_on_one_weekday_are_refused(practitioner_api):
    def post(weekday, start, end):
        return practitioner_api.post(
            "/api/v1/me/availability/",
            {"weekday": weekday, "start_time": start, "end_time": end},
            format="json",
        )

    assert post(2, "09:00", "12:00").status_code == 201
    assert post(2, "12:00", "15:00").status_code == 201  # touching is fine
    assert post(3, "10:00", "11:00").status_code == 201  # other weekday
    response = post(2, "11:00", "13:00")
    assert response.status_code == 400 and "start_time" in response.json()["fields"]
    # Moving an existing rule onto another is refused too.
    rules = practitioner_api.get("/api/v1/me/availability/").json()["results"]
    wednesday = next(r for r in rules if r["weekday"] == 3)
    response = practitioner_api.patch(
        f"/api/v1/me/availability/{wednesday['id']}/", {"weekday": 2}, format="json"
    )
    assert response.status_code == 400


# --- time off ------------------------------------------------------------------------


def test_time_off_crud_and_validation(practitioner_api):
    response = practitioner_api.post(
        "/api/v1/me/time-off/",
        {"starts_at": "2030-01-01T00:00:00Z", "ends_at": "2030-01-08T00:00:00Z", "reason": "Trip"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    url = f"/api/v1/me/time-off/{response.json()['id']}/"
    response = practitioner_api.patch(url, {"ends_at": "2029-12-31T00:00:00Z"}, format="json")
    assert response.status_code == 400 and "ends_at" in response.json()["fields"]
    response = practitioner_api.post(
        "/api/v1/me/time-off/",
        {"starts_at": "2030-01-02T00:00:00Z", "ends_at": "2030-01-01T00:00:00Z"},
        format="json",
    )
    assert response.status_code == 400
    assert practitioner_api.delete(url).status_code == 204


# --- permissions -------------------------------------------------------------------


def _objects_of(user):
    profile = user.practitioner_profile
    location = make_location(profile, city="Berlin", latitude=1, longitude=1)
    service = make_service(
        profile, name="S", duration_minutes=60, price_amount=100, currency="USD", location=location
    )
    rule = AvailabilityRule.objects.create(
        practitioner=profile, weekday=0, start_minute=540, end_minute=600
    )
    time_off = profile.time_off.create(
        starts_at="2030-01-01T00:00:00Z", ends_at="2030-01-02T00:00:00Z"
    )
    return {
        "locations": location.pk,
        "services": service.pk,
        "availability": rule.pk,
        "time-off": time_off.pk,
    }


@pytest.mark.parametrize("kind", ["locations", "services", "availability", "time-off"])
def test_permission_matrix(kind, api_client, client_api, other_practitioner_api):
    owner = make_user(role=Role.PRACTITIONER)
    owner_api = client_for(owner)
    pk = _objects_of(owner)[kind]
    list_url, detail_url = f"/api/v1/me/{kind}/", f"/api/v1/me/{kind}/{pk}/"

    assert api_client.get(list_url).status_code == 401
    assert api_client.get(detail_url).status_code == 401
    assert client_api.get(list_url).status_code == 403
    assert client_api.delete(detail_url).status_code == 403
    # Another practitioner neither sees nor touches it.
    assert other_practitioner_api.get(list_url).json()["count"] == 0
    assert other_practitioner_api.get(detail_url).status_code == 404
    assert other_practitioner_api.patch(detail_url, {}, format="json").status_code == 404
    assert other_practitioner_api.delete(detail_url).status_code == 404
    # The owner does.
    assert owner_api.get(list_url).json()["count"] == 1
    assert owner_api.get(detail_url).status_code == 200


def test_profile_permissions(api_client, client_api, practitioner_api):
    assert api_client.get("/api/v1/me/profile/").status_code == 401
    assert client_api.get("/api/v1/me/profile/").status_code == 403
    assert client_api.patch("/api/v1/me/profile/", {}, format="json").status_code == 403
    assert practitioner_api.get("/api/v1/me/profile/").status_code == 200


def test_service_edits_from_stale_copies_respect_a_deleted_location():
    from django.core.exceptions import ValidationError

    from directory import services

    _, profile, service = make_practitioner(price_amount=9000)
    stale_service = Service.objects.get(pk=service.pk)
    stale_location = Location.objects.get(pk=service.location_id)
    services.location_deactivate(location=Location.objects.get(pk=service.location_id))

    # Loaded before the deletion: the edit neither revives the service nor uses the location.
    services.service_update(service=stale_service, price_amount=5000)
    edited = Service.objects.get(pk=service.pk)
    assert (edited.is_active, edited.price_amount) == (False, 5000)
    with pytest.raises(ValidationError):
        services.service_create(
            profile=profile,
            name="Again",
            duration_minutes=60,
            price_amount=100,
            currency="EUR",
            mode="in_person",
            location=stale_location,
        )
    profile.refresh_from_db()
    assert profile.search_card["cheapest"] == {} and profile.search_card["locations"] == []
