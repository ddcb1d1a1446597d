"""GET /api/v1/practitioners/ says which place it searched around; `country=`; postal codes."""

import pytest
import responses

from tests.factories import make_practitioner

pytestmark = pytest.mark.django_db

URL = "/api/v1/practitioners/"
NOMINATIM = "https://nominatim.openstreetmap.org/search"


@pytest.fixture
def practitioners(db, offline_geocoder):
    _, berlin, _ = make_practitioner(name="Anna Berlin", latitude=52.52, longitude=13.405)
    _, manhattan, _ = make_practitioner(
        name="Nora Manhattan",
        latitude=40.78,
        longitude=-73.98,
        city="New York",
        timezone="America/New_York",
    )
    _, texas, _ = make_practitioner(
        name="Tess Paris",
        latitude=33.66,
        longitude=-95.55,
        city="Paris",
        timezone="America/Chicago",
    )
    return {"berlin": berlin, "manhattan": manhattan, "texas": texas}


def search(api_client, **params):
    response = api_client.get(URL, params)
    assert response.status_code == 200, response.json()
    body = response.json()
    return body["place"], [r["id"] for r in body["results"]]


def test_a_city_is_echoed_as_the_gazetteer_found_it(api_client, practitioners):
    place, ids = search(api_client, location="berlin")
    assert place["name"] == "Berlin" and place["country"] == "DE"
    assert place["source"] == "gazetteer"
    assert place["latitude"] == pytest.approx(52.52, abs=0.01)
    assert place["longitude"] == pytest.approx(13.41, abs=0.01)
    assert ids == [str(practitioners["berlin"].pk)]


def test_coordinates_and_no_place(api_client, practitioners):
    place, ids = search(api_client, near="52.52,13.405")
    assert place == {
        "name": None,
        "country": None,
        "latitude": 52.52,
        "longitude": 13.405,
        "source": "coordinates",
    }
    assert ids == [str(practitioners["berlin"].pk)]
    place, ids = search(api_client)
    assert place is None and len(ids) == 3


def test_country_picks_the_place_of_that_country(api_client, practitioners):
    place, _ = search(api_client, location="Paris")
    assert place["country"] == "FR"  # the most populous Paris
    place, ids = search(api_client, location="Paris", country="US")
    assert (place["name"], place["country"]) == ("Paris", "US")
    assert ids == [str(practitioners["texas"].pk)]
    assert search(api_client, location="Paris", country="us")[0]["country"] == "US"
    response = api_client.get(URL, {"location": "Berlin", "country": "FR"})
    assert response.status_code == 400 and response.json()["code"] == "address_not_found"


def test_a_postal_code_of_many_countries_needs_the_country(api_client, practitioners):
    # 10119 is a Berlin code and a Manhattan ZIP code: never guessed.
    response = api_client.get(URL, {"location": "10119"})
    assert response.status_code == 400 and response.json()["code"] == "address_not_found"

    place, ids = search(api_client, location="10119", country="US")
    assert place["name"] == "New York, NY 10119" and place["country"] == "US"
    assert place["source"] == "gazetteer"
    assert ids == [str(practitioners["manhattan"].pk)]
    assert search(api_client, location="10119, USA")[0] == place


def test_postal_codes_outside_the_offline_data_are_not_found(api_client, practitioners):
    # The offline data has positions of US ZIP codes only: a German code is not found
    # (rather than matched in another country), and so is a code of the wrong format.
    for params in (
        {"location": "10119", "country": "DE"},
        {"location": "10119, Germany"},
        {"location": "SW1A 1AA"},
        {"location": "1010", "country": "AT"},
        {"location": "ABC1", "country": "US"},
        {"location": "00000", "country": "US"},
    ):
        response = api_client.get(URL, params)
        assert response.status_code == 400, params
        assert response.json()["code"] == "address_not_found", params


@pytest.mark.parametrize("country", ["XX", "DEU", "D", "1", "germany", "ÄÖ"])
def test_a_country_that_is_not_an_iso_code_is_400(api_client, practitioners, country):
    response = api_client.get(URL, {"location": "Berlin", "country": country})
    assert response.status_code == 400
    assert response.json()["code"] == "country_invalid"


def test_a_geocoder_place_is_echoed_with_the_country_asked_for(api_client, db, settings):
    settings.GEOCODER = "nominatim"
    settings.GEOCODER_MIN_DELAY_SECONDS = 0
    make_practitioner(name="Ola Oslo", latitude=59.91, longitude=10.75)
    with responses.RequestsMock() as mock:
        mock.get(
            NOMINATIM,
            json=[{"lat": "59.91", "lon": "10.75", "display_name": "Oslo, Norway", "place_id": 1}],
        )
        place, ids = search(api_client, location="Karl Johans gate 1", country="NO")
        assert "Norway" in mock.calls[0].request.url  # the country goes to the provider
    assert place == {
        "name": "Oslo, Norway",
        "country": "NO",
        "latitude": 59.91,
        "longitude": 10.75,
        "source": "geocoder",
    }
    assert len(ids) == 1


def test_autocomplete_places_of_one_country(api_client, offline_geocoder):
    def places(**params):
        response = api_client.get("/api/v1/autocomplete/", params)
        assert response.status_code == 200, response.json()
        return [r["detail"] for r in response.json()["results"] if r["kind"] == "place"]

    assert "FR" in places(q="paris")
    assert set(places(q="paris", country="US")) == {"US"}
    response = api_client.get("/api/v1/autocomplete/", {"q": "paris", "country": "XX"})
    assert response.status_code == 400 and response.json()["code"] == "country_invalid"


def test_the_schema_describes_place_next_available_and_photo(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    page = components["PractitionerSearchPage"]["properties"]
    assert "place" in page
    place = components["Place"]["properties"]
    assert set(place) == {"name", "country", "latitude", "longitude", "source"}
    assert all(field.get("description") for field in place.values())
    result = components["PractitionerSearchResult"]["properties"]
    assert result["next_available"]["format"] == "date-time"
    assert "time zone" in result["next_available"]["description"]
    assert result["photo_url"]["format"] == "uri" and result["photo_url"]["description"]
    parameters = {p["name"] for p in schema["paths"][URL]["get"]["parameters"]}
    assert {"country", "location", "available_from", "ordering"} <= parameters
