"""Geocoding: the offline gazetteer, the cache, and geopy providers (HTTP mocked)."""

import pytest
import requests
import responses

from directory import geocoding
from directory.errors import AddressNotFound, GeocoderUnavailable
from directory.geo import Point
from directory.geocoding import geocode

NOMINATIM = "https://nominatim.openstreetmap.org/search"


@pytest.mark.parametrize(
    ("query", "latitude", "longitude"),
    [
        ("Berlin", 52.52, 13.41),
        ("berlin, germany", 52.52, 13.41),
        ("Paris", 48.85, 2.35),  # the most populous Paris
        ("Paris, Texas", 33.66, -95.56),
        ("Paris, TX, USA", 33.66, -95.56),
        ("Portland", 45.52, -122.68),
        ("Portland, Maine", 43.66, -70.26),
        ("München", 48.14, 11.58),
        ("Munich", 48.14, 11.58),
        ("ZÜRICH", 47.37, 8.55),
        ("Sydney, AU", -33.87, 151.21),
        ("10001, US", 40.75, -74.00),  # US ZIP code
        ("10001, USA", 40.75, -74.00),
        ("94103-1234, US", 37.77, -122.41),
    ],
)
def test_offline_hits(offline_geocoder, query, latitude, longitude):
    point = geocode(query)
    assert point.latitude == pytest.approx(latitude, abs=0.1)
    assert point.longitude == pytest.approx(longitude, abs=0.1)


@pytest.mark.parametrize(
    "query",
    [
        "Xyzzy Nowhere",
        "Berlin, Japan",
        "Springfield, Germany",
        "00000, US",
        " ",
        # A code of many countries' format without a country: not some country's code.
        "10001",
        "10119, Germany",  # no postal codes of Germany in the offline data
        "10119, US, Germany",
    ],
)
def test_offline_misses(offline_geocoder, query):
    with pytest.raises(AddressNotFound) as info:
        geocode(query)
    assert info.value.code == "address_not_found" and info.value.status_code == 400


def test_results_and_misses_are_cached(offline_geocoder, monkeypatch):
    calls = []
    real = geocoding.offline_place

    def counting(text, **kwargs):
        calls.append(text)
        return real(text, **kwargs)

    monkeypatch.setattr(geocoding, "offline_place", counting)
    assert geocode("Lisbon") == geocode("  lisbon ")
    with pytest.raises(AddressNotFound):
        geocode("Qwertyuiop")
    with pytest.raises(AddressNotFound):
        geocode("qwertyuiop")
    assert calls == ["Lisbon", "Qwertyuiop"]


@pytest.fixture
def nominatim(settings):
    settings.GEOCODER = "nominatim"
    settings.GEOCODER_USER_AGENT = "stillpoint-tests/1.0"
    settings.GEOCODER_MIN_DELAY_SECONDS = 0
    settings.GEOCODER_TIMEOUT = 2
    with responses.RequestsMock() as mock:
        yield mock


def test_provider_by_name_with_user_agent(nominatim):
    nominatim.get(
        NOMINATIM,
        json=[{"lat": "59.91", "lon": "10.75", "display_name": "Oslo, Norway", "place_id": 1}],
    )
    assert geocode("Karl Johans gate 1, Oslo") == Point(59.91, 10.75)
    request = nominatim.calls[0].request
    assert request.headers["User-Agent"] == "stillpoint-tests/1.0"
    assert "Karl+Johans" in request.url or "Karl%20Johans" in request.url
    # Cached: a second lookup makes no request.
    assert geocode("karl johans gate 1, oslo") == Point(59.91, 10.75)
    assert len(nominatim.calls) == 1


def test_provider_miss_is_address_not_found(nominatim):
    nominatim.get(NOMINATIM, json=[])
    with pytest.raises(AddressNotFound):
        geocode("Nowhere street 0")


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 500},
        {"status": 503},
        {"status": 429},
        {"body": requests.ConnectionError("down")},
        {"body": requests.Timeout("slow")},
    ],
)
def test_provider_outage_is_503(nominatim, failure):
    nominatim.get(NOMINATIM, **failure)
    with pytest.raises(GeocoderUnavailable) as info:
        geocode("Oslo")
    assert info.value.status_code == 503


def test_unknown_provider_is_503_not_500(settings):
    settings.GEOCODER = "no-such-provider"
    with pytest.raises(GeocoderUnavailable):
        geocode("Oslo")


@pytest.mark.django_db
def test_search_answers_503_when_the_geocoder_is_down(api_client, nominatim):
    nominatim.get(NOMINATIM, body=requests.ConnectionError("down"))
    response = api_client.get("/api/v1/practitioners/", {"location": "Oslo"})
    assert response.status_code == 503
    assert response.json()["code"] == "geocoder_unavailable"
    assert response["Retry-After"]


@pytest.mark.django_db
def test_location_create_answers_503_when_the_geocoder_is_down(practitioner_api, nominatim):
    nominatim.get(NOMINATIM, status=502)
    response = practitioner_api.post(
        "/api/v1/me/locations/", {"address_line": "Main St 1", "city": "Oslo"}, format="json"
    )
    assert response.status_code == 503
