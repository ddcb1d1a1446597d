"""GET /api/v1/autocomplete/ — suggestions of three kinds, prefix-matched and typo-tolerant,
each with the search to run next."""

import pytest

from tests.directory.test_text_search import edit
from tests.factories import make_practitioner

pytestmark = pytest.mark.django_db

URL = "/api/v1/autocomplete/"
BERLIN = "52.52,13.405"


def suggest(api_client, **params):
    response = api_client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def of_kind(results, kind):
    return [r["label"] for r in results if r["kind"] == kind]


@pytest.fixture
def people(db):
    _, anna, _ = make_practitioner(name="Anna Lind", latitude=52.52, longitude=13.405)
    _, anke, _ = make_practitioner(name="Anke Lindner", latitude=48.14, longitude=11.58)
    _, hidden, _ = make_practitioner(name="Anita Lind", published=False)
    edit(anna, modalities=["craniosacral-therapy"])
    return {"anna": anna, "anke": anke, "hidden": hidden}


def test_three_kinds_with_what_to_search_next(api_client, people):
    results = suggest(api_client, q="cran")
    assert of_kind(results, "modality") == [
        "Biodynamic craniosacral therapy",
        "Cranial osteopathy",
        "Craniosacral therapy",
    ]
    modality = next(r for r in results if r["label"] == "Craniosacral therapy")
    assert modality["params"] == {"modality": "craniosacral-therapy"} and modality["slug"] is None
    assert "Cranbrook" in of_kind(results, "place") or of_kind(results, "place")
    assert len(results) <= 10

    results = suggest(api_client, q="ber")
    berlin = next(r for r in results if r["kind"] == "place")
    assert (berlin["label"], berlin["detail"]) == ("Berlin", "DE")  # the most populous first
    latitude, longitude = map(float, berlin["params"]["near"].split(","))
    assert abs(latitude - 52.52) < 0.1 and abs(longitude - 13.4) < 0.1

    results = suggest(api_client, q="anna l")
    anna = next(r for r in results if r["kind"] == "practitioner")
    assert (anna["label"], anna["slug"], anna["detail"]) == (
        "Anna Lind",
        people["anna"].slug,
        "Berlin",
    )
    assert anna["params"] == {"q": "Anna Lind"}
    # The suggested search finds the suggestion.
    found = api_client.get("/api/v1/practitioners/", anna["params"]).json()["results"]
    assert found[0]["slug"] == people["anna"].slug


def test_practitioners_by_name_prefix_nearest_first(api_client, people):
    assert set(of_kind(suggest(api_client, q="lin"), "practitioner")) == {
        "Anna Lind",
        "Anke Lindner",
    }
    near_berlin = suggest(api_client, q="lin", near=BERLIN)
    assert of_kind(near_berlin, "practitioner") == ["Anna Lind"]
    near_munich = suggest(api_client, q="lin", near="48.14,11.58")
    assert of_kind(near_munich, "practitioner") == ["Anke Lindner"]  # within 25 km only
    assert of_kind(suggest(api_client, q="anke lindn"), "practitioner") == ["Anke Lindner"]
    assert of_kind(suggest(api_client, q="anna zz"), "practitioner") == []
    assert "Anita Lind" not in of_kind(suggest(api_client, q="anita"), "practitioner")


def test_typos_are_forgiven_when_nothing_starts_so(api_client, people):
    assert "Berlin" in of_kind(suggest(api_client, q="berlni"), "place")
    assert of_kind(suggest(api_client, q="craniosacrl"), "modality")[:2] == [
        "Biodynamic craniosacral therapy",
        "Craniosacral therapy",
    ]
    assert of_kind(suggest(api_client, q="lindnr"), "practitioner") == ["Anke Lindner"]
    assert suggest(api_client, q="qqqqzzzz") == []


def test_places_nearest_first_with_a_point(api_client, db):
    results = suggest(api_client, q="frankfurt", near="52.34,14.55")  # at Frankfurt (Oder)
    first = next(r for r in results if r["kind"] == "place")
    assert first["label"] == "Frankfurt (Oder)"
    results = suggest(api_client, q="frankfurt")
    assert next(r for r in results if r["kind"] == "place")["label"] == "Frankfurt am Main"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "invalid"),
        ({"q": ""}, "invalid"),
        ({"q": "x" * 201}, "query_too_long"),
        ({"q": "a b c d e f g h i"}, "query_too_many_words"),
        ({"q": "ber", "near": "91,0"}, "invalid"),
        ({"q": "ber", "near": "berlin"}, "invalid"),
    ],
)
def test_bad_input_is_400(api_client, params, code):
    response = api_client.get(URL, params)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code


@pytest.mark.parametrize("q", ['"', "*", "%", "_", "(", "NEAR", ":*", "'", "\\"])
def test_punctuation_is_literal(api_client, people, q):
    assert isinstance(suggest(api_client, q=q), list)
    assert isinstance(suggest(api_client, q=f"lin{q}"), list)
