import pytest

from tests.factories import make_practitioner

pytestmark = pytest.mark.django_db


def test_search_finds_nearest_first(api_client):
    _, near, _ = make_practitioner(name="Near One", latitude=52.52, longitude=13.405)
    _, far, _ = make_practitioner(name="Far One", latitude=52.45, longitude=13.20)
    make_practitioner(name="Hamburg", latitude=53.55, longitude=9.99)
    response = api_client.get("/api/v1/practitioners/", {"near": "52.52,13.40"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [r["id"] for r in body["results"]] == [str(near.pk), str(far.pk)]
    first = body["results"][0]
    assert set(first) == {
        "id",
        "slug",
        "display_name",
        "headline",
        "modalities",
        "languages",
        "distance_km",
        "rating_average",
        "review_count",
        "price_from",
        "currency",
        "offers_online",
        "locations",
    }
    assert first["price_from"] == 9000 and first["currency"] == "eur"
