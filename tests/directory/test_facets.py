"""GET /api/v1/practitioners/?facets= — each facet's counts equal the counts of the same
search with that facet's filter set to the value (a hypothesis test over filter
combinations), and bad facet names are a 400."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory.facets import FACETS, PRICE_BANDS, RATING_BANDS
from directory.models import Modality, Service
from directory.services import search_card_refresh
from tests.directory.test_search import rated
from tests.directory.test_text_search import edit
from tests.factories import make_practitioner, make_service

pytestmark = pytest.mark.django_db

URL = "/api/v1/practitioners/"
BERLIN = "52.52,13.405"
LANGUAGES = ["de", "en", "fr"]
MODALITIES = ["reiki", "shiatsu", "massage-therapy", "craniosacral-therapy"]
PARAMETER = {
    "modality": "modality",
    "language": "language",
    "mode": "mode",
    "price": "max_price",
    "rating": "min_rating",
}


@pytest.fixture
def practitioners(db):
    """A dozen practitioners in and around Berlin (one in Munich, online only), varied in
    every faceted attribute. Function-scoped: hypothesis runs its examples in one test,
    over the same rows."""
    made = []
    for n in range(12):
        far = n == 11
        _, profile, service = make_practitioner(
            name=f"Facet Person{n}",
            latitude=48.14 if far else 52.52 + (n % 4) * 0.03,
            longitude=11.58 if far else 13.40,
        )
        edit(
            profile,
            modalities=MODALITIES[n % 4 : n % 4 + 1 + n % 2],
            languages=LANGUAGES[n % 3 : n % 3 + 1 + (n % 5 == 0)],
            bio="Gentle reiki and massage" if n % 3 else "Quiet shiatsu",
        )
        Service.objects.filter(pk=service.pk).update(price_amount=4000 + 1500 * n)
        if n % 3 == 0 or far:
            make_service(profile, price_amount=3000 + 2000 * n, mode="online")
        if far:
            Service.objects.filter(pk=service.pk).update(is_active=False)
        search_card_refresh(profile=profile)  # services written around directory.services
        if n % 4:
            rated(profile, *([5, 4, 3, 2][n % 4 :] or [1]))
        made.append(profile)
    return made


VALUES = {
    "modality": [*MODALITIES, "reflexology"],
    "language": [*LANGUAGES, "it"],
    "mode": ["in_person", "online"],
    "price": [str(v) for v in PRICE_BANDS],
    "rating": list(RATING_BANDS),
}

searches = st.fixed_dictionaries(
    {},
    optional={
        "near": st.just(BERLIN),
        "radius_km": st.sampled_from([5, 25, 500]),
        "q": st.sampled_from(["reiki", "shiatsu", "gentle massage", "person3", "reikki"]),
        "modality": st.sampled_from(MODALITIES),
        "language": st.sampled_from(LANGUAGES),
        "mode": st.sampled_from(["in_person", "online"]),
        "max_price": st.sampled_from([5000, 9000, 20000]),
        "min_rating": st.sampled_from(["2", "3.5", "4.5"]),
    },
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(params=searches)
def test_facet_counts_equal_the_searches_they_stand_for(api_client, practitioners, params):
    response = api_client.get(URL, {**params, "facets": ",".join(FACETS)})
    assert response.status_code == 200, response.content
    body = response.json()
    facets = body["facets"]
    assert set(facets) == set(FACETS)
    for facet in FACETS:
        counted = {item["value"]: item["count"] for item in facets[facet]}
        assert all(count > 0 for count in counted.values())
        for value in VALUES[facet]:
            switched = {**params, PARAMETER[facet]: value, "page_size": 1}
            expected = api_client.get(URL, switched).json()["count"]
            assert counted.get(value, 0) == expected, (facet, value, params)


def test_facets_come_ordered_and_only_when_asked(api_client, practitioners):
    plain = api_client.get(URL, {"near": BERLIN}).json()
    assert "facets" not in plain and "did_you_mean" not in plain
    body = api_client.get(URL, {"near": BERLIN, "facets": "modality,price"}).json()
    assert set(body["facets"]) == {"modality", "price"}
    counts = [item["count"] for item in body["facets"]["modality"]]
    assert counts == sorted(counts, reverse=True)
    prices = [int(item["value"]) for item in body["facets"]["price"]]
    assert prices == sorted(prices)
    assert sum(counts) >= body["count"]  # a practitioner may have several modalities
    slugs = {item["value"] for item in body["facets"]["modality"]}
    assert slugs <= set(Modality.objects.values_list("slug", flat=True))


@pytest.mark.parametrize("facets", ["modality,bogus", "Modality", "price;rating", "all"])
def test_unknown_facets_are_400(api_client, facets):
    response = api_client.get(URL, {"facets": facets})
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "unknown_facet" and "facets" in response.json()


def test_repeated_and_spaced_facet_names(api_client, practitioners):
    body = api_client.get(URL, {"facets": " mode , mode,,"}).json()
    assert set(body["facets"]) == {"mode"}
    assert sum(item["count"] for item in body["facets"]["mode"]) >= body["count"] > 0
