"""GET /api/v1/practitioners/?q= — the text index: word forms, typos, literal punctuation,
the relevance blend, bad input, and the index kept current by every workspace edit."""

import pytest
from django.core.management import call_command

from directory.models import SearchDocument, SearchTerm
from tests.factories import client_for, make_practitioner, result_ids

pytestmark = pytest.mark.django_db

URL = "/api/v1/practitioners/"
BERLIN = "52.52,13.405"


def edit(profile, **fields):
    response = client_for(profile.user).patch("/api/v1/me/profile/", fields, format="json")
    assert response.status_code == 200, response.json()


@pytest.fixture
def people(db):
    """Four practitioners in Berlin written through the workspace API."""
    _, anna, _ = make_practitioner(name="Anna Lind", latitude=52.52, longitude=13.405)
    edit(
        anna,
        modalities=["craniosacral-therapy"],
        headline="Gentle craniosacral therapy",
        bio="I see babies and their parents after birth.",
        languages=["en"],
    )
    _, bodo, _ = make_practitioner(name="Bodo Kranich", latitude=52.53, longitude=13.41)
    edit(
        bodo,
        modalities=["visceral-manipulation"],
        headline="Ruhige Praxis",
        bio="Ich arbeite bei Schmerzen und Verspannungen.",
        languages=["de"],
    )
    _, chloe, _ = make_practitioner(name="Chloe Marchetti", latitude=52.50, longitude=13.39)
    edit(
        chloe,
        modalities=["massage-therapy"],
        headline="Relaxing massages",
        bio="Sports massage for runners.",
        languages=["en"],
    )
    _, dora, _ = make_practitioner(name="Dora Fontaine", latitude=52.51, longitude=13.40)
    edit(
        dora,
        modalities=["reiki"],
        headline="Reiki",
        bio="Séances de massages relaxants.",
        languages=["fr"],
    )
    return {"anna": anna, "bodo": bodo, "chloe": chloe, "dora": dora}


def keys(people, response):
    by_id = {str(p.pk): key for key, p in people.items()}
    return [by_id[pk] for pk in result_ids(response)]


@pytest.mark.parametrize("near", [None, BERLIN])
def test_word_forms_follow_the_profile_languages(api_client, people, near):
    where = {"near": near} if near else {}

    def search(q):
        return set(keys(people, api_client.get(URL, {"q": q, **where})))

    # English stemming: the modality "Massage therapy", "massages" and "massage" meet.
    assert search("massage") == {"chloe"}
    assert search("MASSAGES") == {"chloe", "dora"}  # Dora's French is indexed as written
    assert search("baby") == {"anna"}
    # German stemming for a German profile only.
    assert search("schmerz") == {"bodo"}
    assert search("verspannung") == {"bodo"}
    # Names, and accents folded.
    assert search("kranich") == {"bodo"}
    assert search("séances") == search("seances") == {"dora"}
    # Every word must match.
    assert search("massage runners") == {"chloe"}
    assert search("massage babies") == set()


def test_a_typo_returns_the_corrected_results_with_did_you_mean(api_client, people):
    response = api_client.get(URL, {"q": "craniosacrl", "near": BERLIN})
    assert keys(people, response) == ["anna"]
    assert response.json()["did_you_mean"] == "craniosacral"
    response = api_client.get(URL, {"q": "reikki"})
    assert keys(people, response) == ["dora"]
    assert response.json()["did_you_mean"] == "reiki"
    response = api_client.get(URL, {"q": "Massage Kranch"})
    assert keys(people, response) == []  # "Kranich" is Bodo's name, "massage" Chloe's
    assert response.json()["did_you_mean"] == "massage kranich"
    exact = api_client.get(URL, {"q": "craniosacral"})
    assert keys(people, exact) == ["anna"] and exact.json()["did_you_mean"] is None
    nothing = api_client.get(URL, {"q": "xylophone"})
    assert keys(people, nothing) == [] and nothing.json()["did_you_mean"] is None


def test_a_prefix_the_index_does_not_know_completes(api_client, people):
    response = api_client.get(URL, {"q": "cranio"})
    assert keys(people, response) == ["anna"]
    assert response.json()["did_you_mean"] is None


@pytest.mark.parametrize(
    "q",
    [
        '"reiki"',
        "reiki*",
        "reiki:",
        "reiki:*",
        "(reiki",
        "reiki)",
        "reiki NEAR",
        "NEAR(reiki)",
        "reiki OR",
        "reiki AND NOT",
        "reiki -",
        "reiki ^",
        "reiki %",
        "reiki_",
        "%reiki%",
        "reiki'",
        "reiki\\",
        "reiki & |",
        "{name}: reiki",
    ],
)
def test_punctuation_is_taken_literally(api_client, people, q):
    for near in ({}, {"near": BERLIN}):
        response = api_client.get(URL, {"q": q, **near})
        assert response.status_code == 200, response.content
        # "or" and "and" are stop words; "near", "not", "name" words nobody wrote.
        words = [w for w in ("near", "not", "name") if w in q.lower()]
        expected = [] if words else ["dora"]
        assert keys(people, response) == expected, q


@pytest.mark.parametrize("q", ["%", "*", '"', "_", "()", "'", ":", "&|!"])
def test_a_query_of_punctuation_alone_matches_nothing(api_client, people, q):
    for near in ({}, {"near": BERLIN}):
        response = api_client.get(URL, {"q": q, **near})
        assert response.status_code == 200, response.content
        assert response.json()["count"] == 0


def test_an_empty_q_is_no_q(api_client, people):
    for near in ({}, {"near": BERLIN}):
        plain = api_client.get(URL, near).json()
        for q in ("", "   "):
            assert api_client.get(URL, {"q": q, **near}).json() == plain


def test_bad_queries_are_400_with_their_code(api_client, people):
    too_long = api_client.get(URL, {"q": "a" * 201})
    assert too_long.status_code == 400 and too_long.json()["code"] == "query_too_long"
    assert api_client.get(URL, {"q": "reiki " * 34}).json()["code"] == "query_too_long"
    nine = api_client.get(URL, {"q": "one two three four five six seven eight nine"})
    assert nine.status_code == 400 and nine.json()["code"] == "query_too_many_words"
    assert "q" in nine.json()
    eight = api_client.get(URL, {"q": "one two three four five six seven eight"})
    assert eight.status_code == 200
    assert api_client.get(URL, {"q": "a" * 200}).status_code == 200


def test_relevance_orders_by_field_then_rating_without_a_point(api_client, db):
    from tests.directory.test_search import rated

    _, named, _ = make_practitioner(name="Ada Reiki")
    _, modality, _ = make_practitioner(name="Bea Stone")
    edit(modality, modalities=["reiki"], headline="Calm sessions", bio="")
    _, headline, _ = make_practitioner(name="Cai Moss", headline="Reiki and rest")
    _, bio, _ = make_practitioner(name="Dee Fern", bio="I trained in reiki long ago.")
    _, bio_rated, _ = make_practitioner(name="Eli Oak", bio="Reiki, also.")
    rated(bio_rated, 5)
    expected = [named, modality, headline, bio_rated, bio]
    response = api_client.get(URL, {"q": "reiki"})
    assert result_ids(response) == [str(p.pk) for p in expected]
    assert api_client.get(URL, {"q": "reiki", "ordering": "relevance"}).json() == (response.json())
    # Another ordering still filters by the words.
    by_rating = result_ids(api_client.get(URL, {"q": "reiki", "ordering": "-rating"}))
    assert by_rating[0] == str(bio_rated.pk) and set(by_rating) == set(result_ids(response))


def test_relevance_blends_with_distance(api_client, db):
    # Per 0.01 degree of latitude 1.112 km north of the point.
    def at(km, name, **fields):
        _, profile, _ = make_practitioner(name=name, latitude=50 + km / 111.2, longitude=10)
        if fields:
            edit(profile, **fields)
        return profile

    bio_here = at(0, "Bio Here", bio="Somatic work, shiatsu too.")
    modality_20 = at(20, "Modality Twenty", modalities=["shiatsu"])
    modality_40 = at(40, "Modality Forty", modalities=["shiatsu"])
    # 0.7 x 0.4 + 0.3 / (1 + 20/10) = 0.38 > 0.7 x 0.1 + 0.3 x 1 = 0.37 > 0.7 x 0.4 + 0.3 / 5
    response = api_client.get(URL, {"q": "shiatsu", "near": "50,10", "radius_km": 50})
    assert result_ids(response) == [str(p.pk) for p in (modality_20, bio_here, modality_40)]
    by_distance = api_client.get(
        URL, {"q": "shiatsu", "near": "50,10", "radius_km": 50, "ordering": "distance"}
    )
    assert result_ids(by_distance) == [str(p.pk) for p in (bio_here, modality_20, modality_40)]


def test_the_index_follows_every_workspace_edit(api_client, people):
    anna = people["anna"]

    def found(q):
        return str(anna.pk) in result_ids(api_client.get(URL, {"q": q}))

    def vocabulary():
        return {t.lexeme: t.documents for t in SearchTerm.objects.filter(documents__gt=0)}

    # Old words are neither completed nor corrected to new ones here.
    edit(anna, display_name="Zoe Quist")
    assert found("quist") and not found("lind") and not found("anna")
    edit(anna, headline="Quiet osteopathy", bio="Walking and breathing.")
    assert found("osteopathy") and found("walks") and not found("gentle")
    edit(anna, modalities=["shiatsu"])
    assert found("shiatsu") and not found("craniosacral")
    edit(anna, bio="Ich begleite Wanderungen.", languages=["de"])
    assert found("wanderung")
    edit(anna, is_published=False)
    assert not found("zoe") and not SearchDocument.objects.filter(practitioner=anna).exists()
    # Its words are no correction or suggestion any more.
    assert "quist" not in vocabulary()
    assert api_client.get(URL, {"q": "quisst"}).json()["did_you_mean"] is None
    edit(anna, is_published=True)
    assert found("zoe") and vocabulary()["quist"] == 1

    counts = vocabulary()
    call_command("rebuild_search_index", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert vocabulary() == counts  # the edits kept the counts a rebuild computes

    response = client_for(anna.user).delete("/api/v1/me/")
    assert response.status_code == 204
    assert not found("zoe") and "zoe" not in vocabulary()


def test_rebuild_command_restores_an_index_edited_around_the_services(api_client, people):
    from io import StringIO

    from directory.models import PractitionerProfile

    chloe = people["chloe"]
    PractitionerProfile.objects.filter(pk=chloe.pk).update(bio="Now also yoga.")
    SearchDocument.objects.filter(practitioner=people["bodo"]).delete()
    assert not result_ids(api_client.get(URL, {"q": "yoga"}))
    assert not result_ids(api_client.get(URL, {"q": "kranich"}))
    out = StringIO()
    call_command("rebuild_search_index", batch_size=2, stdout=out)
    assert "done, 4 profiles" in out.getvalue()
    assert result_ids(api_client.get(URL, {"q": "yoga"})) == [str(chloe.pk)]
    assert result_ids(api_client.get(URL, {"q": "kranich"})) == [str(people["bodo"].pk)]
    assert not result_ids(api_client.get(URL, {"q": "runners"}))
    assert not SearchTerm.objects.filter(lexeme="runner", documents__gt=0).exists()


def test_location_attributes_filter(api_client, people):
    owner = client_for(people["anna"].user)
    location = people["anna"].locations.get()
    response = owner.patch(
        f"/api/v1/me/locations/{location.pk}/", {"wheelchair_accessible": True, "parking": True}
    )
    assert response.status_code == 200 and response.json()["wheelchair_accessible"] is True
    far = owner.post(
        "/api/v1/me/locations/",
        {"city": "Hamburg", "latitude": 53.55, "longitude": 9.99, "public_transport_nearby": True},
    )
    assert far.status_code == 201
    anna = [str(people["anna"].pk)]
    for where in ({}, {"near": BERLIN}):
        assert result_ids(api_client.get(URL, {"wheelchair_accessible": "true", **where})) == anna
        assert result_ids(
            api_client.get(URL, {"parking": "true", "wheelchair_accessible": "true"})
        ) == (anna)
        assert (
            len(result_ids(api_client.get(URL, {"wheelchair_accessible": "false", **where}))) == 4
        )
    # Within a radius, the attribute must hold at a location there.
    assert result_ids(api_client.get(URL, {"public_transport_nearby": "true"})) == anna
    assert (
        result_ids(api_client.get(URL, {"public_transport_nearby": "true", "near": BERLIN})) == []
    )
    hamburg = {"public_transport_nearby": "true", "near": "53.55,9.99"}
    assert result_ids(api_client.get(URL, hamburg)) == anna
    bad = api_client.get(URL, {"parking": "yes"})
    assert bad.status_code == 400 and "parking" in bad.json()["fields"]
