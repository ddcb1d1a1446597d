"""GET /api/v1/practitioners/ — filters, orderings, pagination, bad input, query count."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.geo import Point
from directory.models import Modality, PractitionerProfile, Service
from directory.selectors import practitioner_search
from directory.services import search_card_refresh
from reviews.models import PractitionerRating
from tests.factories import client_for, make_location, make_practitioner, make_service, result_ids

pytestmark = pytest.mark.django_db

URL = "/api/v1/practitioners/"
BERLIN = "52.52,13.405"


def rated(profile, *ratings):
    # Ratings are reviews' table (directory reads it through directory.ratings).
    PractitionerRating.objects.update_or_create(
        practitioner=profile,
        defaults={
            "rating_count": len(ratings),
            "rating_sum": sum(ratings),
            "rating_average": Decimal(sum(ratings)) / len(ratings) if ratings else None,
        },
    )
    return profile


@pytest.fixture
def berlin(db):
    """Three practitioners around Berlin and one in Hamburg (~255 km away)."""
    _, mitte, _ = make_practitioner(name="Anna Mitte", latitude=52.52, longitude=13.405)
    _, spandau, _ = make_practitioner(
        name="Bert Spandau", latitude=52.535, longitude=13.20, price_amount=5000
    )
    _, potsdam, _ = make_practitioner(
        name="Cleo Potsdam",
        latitude=52.39,
        longitude=13.065,
        price_amount=12000,
        headline="Visceral manipulation",
        bio="Quiet practice near the lake.",
    )
    _, hamburg, _ = make_practitioner(name="Dora Hamburg", latitude=53.55, longitude=9.99)
    return {"mitte": mitte, "spandau": spandau, "potsdam": potsdam, "hamburg": hamburg}


def test_result_shape(api_client, berlin):
    mitte = berlin["mitte"]
    mitte.languages = ["de", "en"]
    mitte.save()
    mitte.modalities.set(Modality.objects.filter(slug="reiki"))
    search_card_refresh(profile=mitte)  # written around directory.services
    rated(mitte, 5, 4)
    response = api_client.get(URL, {"near": BERLIN})
    first = response.json()["results"][0]
    location = mitte.locations.get()
    assert first == {
        "id": str(mitte.pk),
        "slug": mitte.slug,
        "display_name": "Anna Mitte",
        "headline": "Craniosacral therapy",
        "modalities": ["reiki"],
        "languages": ["de", "en"],
        "distance_km": 0.0,
        "rating_average": 4.5,
        "review_count": 2,
        "price_from": 9000,
        "currency": "EUR",
        "offers_online": False,
        "locations": [
            {
                "id": str(location.pk),
                "city": "Berlin",
                "latitude": 52.52,
                "longitude": 13.405,
            }
        ],
        "photo_url": None,
        "next_available": None,
    }


def test_result_fields_match_the_declared_serializer_fields(api_client, berlin):
    """The hand-written result representation is exactly what DRF's fields would give."""
    from rest_framework import serializers

    from directory.serializers import PractitionerSearchResultSerializer

    mitte, potsdam = berlin["mitte"], berlin["potsdam"]
    mitte.languages, mitte.offers_online = ["de", "en"], True
    mitte.save()
    mitte.modalities.set(Modality.objects.filter(slug__in=["reiki", "massage-therapy"]))
    rated(mitte, 5, 4, 4)
    make_location(mitte, city="Pankow", latitude=52.57, longitude=13.40, is_listed=True)
    Service.objects.filter(practitioner=potsdam).update(is_active=False)  # no price
    make_service(mitte, name="Online", duration_minutes=45, price_amount=4000, mode="online")
    for profile in (mitte, potsdam):  # written around directory.services
        search_card_refresh(profile=profile)
    for params in ({"near": BERLIN}, {}, {"near": BERLIN, "mode": "online"}):
        results = list(practitioner_search(**_search_kwargs(params)))
        assert results, params
        serializer = PractitionerSearchResultSerializer()
        for profile in results:
            generic = serializers.ModelSerializer.to_representation(serializer, profile)
            assert serializer.to_representation(profile) == generic
    first = api_client.get(URL, {"near": BERLIN}).json()["results"][0]
    assert first["id"] == str(mitte.pk)
    assert first["modalities"] == ["massage-therapy", "reiki"]  # by name
    assert [loc["city"] for loc in first["locations"]] == ["Berlin", "Pankow"]  # oldest first
    assert (first["price_from"], first["currency"]) == (4000, "EUR")  # cheapest of all modes
    in_person = api_client.get(URL, {"near": BERLIN, "mode": "in_person"}).json()["results"][0]
    assert in_person["price_from"] == 9000


def test_search_results_follow_workspace_edits(api_client, berlin):
    """The search card is rebuilt by every edit of modalities, locations and services."""
    mitte = berlin["mitte"]
    owner = client_for(mitte.user)

    def result(**params):
        response = api_client.get(URL, {"near": BERLIN, "radius_km": 5, **params})
        rows = [r for r in response.json()["results"] if r["id"] == str(mitte.pk)]
        return rows[0] if rows else None

    def card_is_fresh():
        stored = PractitionerProfile.objects.get(pk=mitte.pk).search_card
        search_card_refresh(profile=mitte)
        return stored == mitte.search_card

    patched = owner.patch(
        "/api/v1/me/profile/", {"modalities": ["reiki", "massage-therapy"]}, format="json"
    )
    assert patched.status_code == 200
    assert result()["modalities"] == ["massage-therapy", "reiki"]  # by name

    added = owner.post(
        "/api/v1/me/locations/", {"city": "Pankow", "latitude": 52.57, "longitude": 13.40}
    )
    assert added.status_code == 201
    pankow = added.json()["id"]
    assert [loc["city"] for loc in result()["locations"]] == ["Berlin", "Pankow"]
    assert owner.patch(f"/api/v1/me/locations/{pankow}/", {"city": "Weißensee"}).status_code == 200
    assert [loc["city"] for loc in result()["locations"]] == ["Berlin", "Weißensee"]

    video = owner.post(
        "/api/v1/me/services/",
        {
            "name": "Video",
            "duration_minutes": 45,
            "price": {"amount": 4000, "currency": "EUR"},
            "mode": "online",
        },
        format="json",
    )
    assert video.status_code == 201
    assert (result()["price_from"], result(mode="in_person")["price_from"]) == (4000, 9000)
    assert result(mode="online")["price_from"] == 4000
    in_pankow = owner.post(
        "/api/v1/me/services/",
        {
            "name": "Short",
            "duration_minutes": 30,
            "price": {"amount": 3000, "currency": "EUR"},
            "mode": "in_person",
            "location": pankow,
        },
        format="json",
    )
    assert in_pankow.status_code == 201
    assert (result()["price_from"], result(mode="online")["price_from"]) == (3000, 4000)
    video_id = video.json()["id"]
    assert (
        owner.patch(
            f"/api/v1/me/services/{video_id}/",
            {"price": {"amount": 2500, "currency": "EUR"}},
            format="json",
        ).status_code
        == 200
    )
    assert result()["price_from"] == 2500
    assert owner.delete(f"/api/v1/me/services/{video_id}/").status_code == 204
    assert result()["price_from"] == 3000 and result(mode="online") is None
    assert card_is_fresh()

    # Deleting the location deactivates its services: both leave the result.
    assert owner.delete(f"/api/v1/me/locations/{pankow}/").status_code == 204
    row = result()
    assert [loc["city"] for loc in row["locations"]] == ["Berlin"]
    assert (row["price_from"], row["currency"]) == (9000, "EUR")
    assert card_is_fresh()


def _search_kwargs(params):
    if "near" not in params:
        return {"mode": params.get("mode")}
    latitude, longitude = map(float, params["near"].split(","))
    return {"point": Point(latitude, longitude), "mode": params.get("mode")}


def test_default_radius_and_distance_ordering(api_client, berlin):
    # Potsdam is ~28 km from Mitte: outside the default 25 km.
    assert result_ids(api_client.get(URL, {"near": BERLIN})) == [
        str(berlin["mitte"].pk),
        str(berlin["spandau"].pk),
    ]
    response = api_client.get(URL, {"near": BERLIN, "radius_km": 30})
    assert result_ids(response) == [str(berlin[k].pk) for k in ("mitte", "spandau", "potsdam")]
    distances = [r["distance_km"] for r in response.json()["results"]]
    assert distances == sorted(distances)
    assert distances[1] == pytest.approx(14.0, abs=0.5)
    response = api_client.get(URL, {"near": BERLIN, "radius_km": 300})
    assert result_ids(response)[-1] == str(berlin["hamburg"].pk)


def test_location_text_is_geocoded(api_client, berlin, offline_geocoder):
    assert result_ids(api_client.get(URL, {"location": "Hamburg, Germany"})) == [
        str(berlin["hamburg"].pk)
    ]
    response = api_client.get(URL, {"location": "Atlantis of the Deep"})
    assert response.status_code == 400
    assert response.json()["code"] == "address_not_found"


def test_several_locations_appear_once_at_the_nearest(api_client, berlin):
    hamburg = berlin["hamburg"]
    for latitude in (52.50, 52.51):
        added = client_for(hamburg.user).post(
            "/api/v1/me/locations/", {"city": "Berlin", "latitude": latitude, "longitude": 13.40}
        )
        assert added.status_code == 201
    response = api_client.get(URL, {"near": BERLIN})
    results = response.json()["results"]
    assert [r["id"] for r in results].count(str(hamburg.pk)) == 1
    row = next(r for r in results if r["id"] == str(hamburg.pk))
    assert row["distance_km"] == pytest.approx(1.1, abs=0.2)
    assert len(row["locations"]) == 3
    assert response.json()["count"] == 3


def test_inactive_locations_and_unpublished_profiles_do_not_match(api_client, berlin):
    spandau, mitte, potsdam = berlin["spandau"], berlin["mitte"], berlin["potsdam"]
    location = spandau.locations.get()
    deleted = client_for(spandau.user).delete(f"/api/v1/me/locations/{location.pk}/")
    assert deleted.status_code == 204
    unpublished = client_for(mitte.user).patch("/api/v1/me/profile/", {"is_published": False})
    assert unpublished.status_code == 200
    assert result_ids(api_client.get(URL, {"near": BERLIN, "radius_km": 50})) == [str(potsdam.pk)]
    filtered = api_client.get(
        URL, {"near": BERLIN, "radius_km": 50, "max_price": 50_000}
    )  # the other SQL shape
    assert result_ids(filtered) == [str(potsdam.pk)]

    # Published again: listed again, and so is a location added while published.
    republished = client_for(mitte.user).patch("/api/v1/me/profile/", {"is_published": True})
    assert republished.status_code == 200
    added = client_for(spandau.user).post(
        "/api/v1/me/locations/", {"city": "Berlin", "latitude": 52.53, "longitude": 13.41}
    )
    assert added.status_code == 201
    expected = {str(mitte.pk), str(spandau.pk), str(potsdam.pk)}
    assert set(result_ids(api_client.get(URL, {"near": BERLIN, "radius_km": 50}))) == expected
    # A location added while unpublished is listed only once the profile is published.
    client_for(potsdam.user).patch("/api/v1/me/profile/", {"is_published": False})
    client_for(potsdam.user).post(
        "/api/v1/me/locations/", {"city": "Berlin", "latitude": 52.52, "longitude": 13.40}
    )
    assert str(potsdam.pk) not in result_ids(api_client.get(URL, {"near": BERLIN, "radius_km": 5}))
    client_for(potsdam.user).patch("/api/v1/me/profile/", {"is_published": True})
    assert str(potsdam.pk) in result_ids(api_client.get(URL, {"near": BERLIN, "radius_km": 5}))


def test_a_deleted_account_leaves_the_search(api_client, berlin):
    mitte = berlin["mitte"]
    response = client_for(mitte.user).delete("/api/v1/me/")
    assert response.status_code == 204, response.content
    assert str(mitte.pk) not in result_ids(api_client.get(URL, {"near": BERLIN}))
    assert not mitte.locations.filter(is_listed=True).exists()


def test_without_location_lists_everyone_best_rated_first(api_client, berlin):
    rated(berlin["hamburg"], 5)
    rated(berlin["potsdam"], 4, 4)
    rated(berlin["spandau"], 4)
    response = api_client.get(URL)
    assert result_ids(response) == [
        str(berlin["hamburg"].pk),
        str(berlin["potsdam"].pk),  # same average as spandau, more reviews
        str(berlin["spandau"].pk),
        str(berlin["mitte"].pk),  # unrated last
    ]
    assert all(r["distance_km"] is None for r in response.json()["results"])


def test_ordering_rating_and_price_with_location(api_client, berlin):
    rated(berlin["spandau"], 5)
    rated(berlin["potsdam"], 3)
    near = {"near": BERLIN, "radius_km": 50}
    assert result_ids(api_client.get(URL, {**near, "ordering": "-rating"})) == [
        str(berlin[k].pk) for k in ("spandau", "potsdam", "mitte")
    ]
    assert result_ids(api_client.get(URL, {**near, "ordering": "price"})) == [
        str(berlin[k].pk) for k in ("spandau", "mitte", "potsdam")
    ]
    assert result_ids(api_client.get(URL, {**near, "ordering": "distance"})) == [
        str(berlin[k].pk) for k in ("mitte", "spandau", "potsdam")
    ]


def test_filters(api_client, berlin):
    near = {"near": BERLIN, "radius_km": 50}
    mitte, spandau, potsdam = berlin["mitte"], berlin["spandau"], berlin["potsdam"]
    mitte.modalities.set(Modality.objects.filter(slug__in=["reiki", "shiatsu"]))
    spandau.modalities.set(Modality.objects.filter(slug="reiki"))
    mitte.languages = ["de", "en"]
    mitte.save()
    potsdam.languages = ["fr"]
    potsdam.save()
    rated(spandau, 5, 4)
    rated(potsdam, 3)

    assert set(result_ids(api_client.get(URL, {**near, "modality": "reiki"}))) == {
        str(mitte.pk),
        str(spandau.pk),
    }
    assert result_ids(api_client.get(URL, {**near, "modality": "shiatsu"})) == [str(mitte.pk)]
    assert result_ids(api_client.get(URL, {**near, "language": "en"})) == [str(mitte.pk)]
    assert result_ids(api_client.get(URL, {**near, "language": "fr"})) == [str(potsdam.pk)]
    assert result_ids(api_client.get(URL, {**near, "max_price": 9000})) == [
        str(mitte.pk),
        str(spandau.pk),
    ]
    assert result_ids(api_client.get(URL, {**near, "max_price": 4999})) == []
    assert result_ids(api_client.get(URL, {**near, "min_rating": "4.5"})) == [str(spandau.pk)]
    assert result_ids(api_client.get(URL, {**near, "min_rating": 3})) == [
        str(spandau.pk),
        str(potsdam.pk),
    ]
    assert result_ids(api_client.get(URL, {**near, "q": "lake"})) == [str(potsdam.pk)]
    assert result_ids(api_client.get(URL, {**near, "q": "VISCERAL quiet"})) == [str(potsdam.pk)]
    assert result_ids(api_client.get(URL, {**near, "q": "cleo"})) == [str(potsdam.pk)]
    assert result_ids(api_client.get(URL, {**near, "q": "visceral nothere"})) == []
    assert result_ids(api_client.get(URL, {**near, "modality": "reiki", "language": "de"})) == [
        str(mitte.pk)
    ]


def test_mode_filter_and_online_only_practitioners(api_client, berlin):
    _, online_only, service = make_practitioner(name="Eva Online", latitude=-33.9, longitude=151.2)
    online_only.offers_online = True
    online_only.save()
    Service.objects.filter(pk=service.pk).update(mode="online", location=None, price_amount=2000)
    online_only.locations.update(is_active=False, is_listed=False)  # no location at all
    make_service(
        berlin["mitte"], name="Video", duration_minutes=30, price_amount=3000, mode="online"
    )
    for profile in (online_only, berlin["mitte"]):  # written around directory.services
        search_card_refresh(profile=profile)
    near = {"near": BERLIN, "radius_km": 50}
    assert set(result_ids(api_client.get(URL, {**near, "mode": "in_person"}))) == {
        str(berlin[k].pk) for k in ("mitte", "spandau", "potsdam")
    }
    response = api_client.get(URL, {**near, "mode": "online"})
    # Online needs no travel: the far-away online-only practitioner matches too, last.
    assert result_ids(response) == [str(berlin["mitte"].pk), str(online_only.pk)]
    results = response.json()["results"]
    assert results[0]["price_from"] == 3000 and results[0]["distance_km"] == 0.0
    assert results[1]["distance_km"] is None and results[1]["locations"] == []
    assert result_ids(api_client.get(URL, {"mode": "online", "ordering": "price"})) == [
        str(online_only.pk),
        str(berlin["mitte"].pk),
    ]


def test_pagination(api_client):
    for i in range(5):
        make_practitioner(name=f"P{i}", latitude=10 + i * 0.01, longitude=10)
    first = api_client.get(URL, {"near": "10,10", "page_size": 2}).json()
    assert first["count"] == 5 and len(first["results"]) == 2
    assert first["previous"] is None and "page=2" in first["next"]
    second = api_client.get(URL, {"near": "10,10", "page_size": 2, "page": 2}).json()
    third = api_client.get(URL, {"near": "10,10", "page_size": 2, "page": 3}).json()
    seen = [r["display_name"] for page in (first, second, third) for r in page["results"]]
    assert seen == [f"P{i}" for i in range(5)] and third["next"] is None
    assert api_client.get(URL, {"near": "10,10", "page": 9}).status_code == 404
    big = api_client.get(URL, {"near": "10,10", "page_size": 1000}).json()
    assert len(big["results"]) == 5
    last = api_client.get(URL, {"near": "10,10", "page_size": 2, "page": "last"}).json()
    assert last["results"] == third["results"] and last["count"] == 5
    huge = api_client.get(URL, {"near": "10,10", "page": str(10**30)})
    assert huge.status_code == 404
    superscript = api_client.get(URL, {"near": "10,10", "page": "²"})  # isdigit(), not a number
    assert superscript.status_code == 400 and superscript.json()["code"] == "invalid"


def test_a_page_and_its_count_come_from_one_statement(api_client):
    for i in range(5):
        make_practitioner(name=f"P{i}", latitude=10 + i * 0.01, longitude=10)
    with CaptureQueriesContext(connection) as ctx:
        response = api_client.get(URL, {"near": "10,10", "page_size": 2, "page": 3})
    assert response.json()["count"] == 5
    assert [r["display_name"] for r in response.json()["results"]] == ["P4"]
    searches = [q["sql"] for q in ctx.captured_queries if "directory_location l" in q["sql"]]
    assert len(searches) == 1 and "COUNT(*) OVER ()" in searches[0]
    # A page past the end has no row to carry the count: counted apart, then 404.
    with CaptureQueriesContext(connection) as ctx:
        assert api_client.get(URL, {"near": "10,10", "page": 2}).status_code == 404
    assert any(q["sql"].startswith("SELECT COUNT(*) FROM") for q in ctx.captured_queries)


def test_the_statement_text_does_not_depend_on_the_point():
    # Bound, not inlined: SQLite reuses the compiled statement for every search point.
    berlin = practitioner_search(point=Point(52.52, 13.405), radius_km=25).page_sql(limit=20)
    sydney = practitioner_search(point=Point(-33.87, 151.21), radius_km=25).page_sql(limit=20)
    assert berlin[0] == sydney[0]
    assert berlin[1] != sydney[1]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"near": "52.5"}, "near"),
        ({"near": "abc,def"}, "near"),
        ({"near": "52.5,13.4,1"}, "near"),
        ({"near": "91,0"}, "near"),
        ({"near": "0,180.5"}, "near"),
        ({"near": "nan,1"}, "near"),
        ({"near": "1,inf"}, "near"),
        ({"near": BERLIN, "radius_km": "far"}, "radius_km"),
        ({"near": BERLIN, "radius_km": 0}, "radius_km"),
        ({"near": BERLIN, "radius_km": -5}, "radius_km"),
        ({"near": BERLIN, "radius_km": 501}, "radius_km"),
        ({"near": BERLIN, "radius_km": "NaN"}, "radius_km"),
        ({"ordering": "name"}, "ordering"),
        ({"mode": "teleport"}, "mode"),
        ({"modality": "unknown-thing"}, "modality"),
        ({"language": "eng"}, "language"),
        ({"language": "E1"}, "language"),
        ({"max_price": "cheap"}, "max_price"),
        ({"max_price": -1}, "max_price"),
        ({"min_rating": 6}, "min_rating"),
        ({"min_rating": "good"}, "min_rating"),
        ({"near": BERLIN, "location": "Berlin"}, "location"),
    ],
)
def test_bad_input_is_400(api_client, params, field):
    response = api_client.get(URL, params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid" and field in body["fields"]


def test_distance_ordering_needs_a_location(api_client):
    response = api_client.get(URL, {"ordering": "distance"})
    assert response.status_code == 400
    assert response.json()["code"] == "location_required"


def test_constant_number_of_queries(api_client):
    modalities = list(Modality.objects.all()[:3])

    def page_queries(n_practitioners):
        for i in range(n_practitioners):
            _, profile, _ = make_practitioner(name=f"Q{i}", latitude=40 + i * 0.001, longitude=-3.7)
            profile.modalities.set(modalities)
            make_location(profile, latitude=40.1, longitude=-3.7, is_listed=True)
        with CaptureQueriesContext(connection) as ctx:
            response = api_client.get(URL, {"near": "40,-3.7", "modality": modalities[0].slug})
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()["count"]

    small = page_queries(2)
    large = page_queries(15)
    assert small[1] == 2 and large[1] == 17
    # The modality check, then the page with its count and its results' search cards,
    # then the page's profile photos.
    assert small[0] == large[0] == 3


def test_public_detail_by_id_or_slug(api_client, berlin):
    mitte = berlin["mitte"]
    rated(mitte, 4)
    make_service(
        mitte, name="Old", duration_minutes=30, price_amount=10, mode="online", is_active=False
    )
    by_id = api_client.get(f"{URL}{mitte.pk}/")
    by_slug = api_client.get(f"{URL}{mitte.slug}/")
    assert by_id.status_code == 200 and by_id.json() == by_slug.json()
    body = by_id.json()
    assert body["rating_average"] == 4.0 and body["review_count"] == 1
    assert [s["name"] for s in body["services"]] == ["Craniosacral session"]
    assert body["services"][0]["price"] == {"amount": 9000, "currency": "EUR", "display": "€90.00"}
    assert body["locations"][0]["city"] == "Berlin"
    assert body["price_from"] == body["services"][0]["price"]
    assert body["timezone"] == "Europe/Berlin"

    mitte.is_published = False
    mitte.save()
    assert api_client.get(f"{URL}{mitte.pk}/").status_code == 404
    assert api_client.get(f"{URL}{mitte.slug}/").json()["code"] == "not_found"
    assert api_client.get(f"{URL}no-such-person/").status_code == 404


def test_modalities_list(api_client):
    response = api_client.get("/api/v1/modalities/")
    assert response.status_code == 200
    slugs = {m["slug"] for m in response.json()}
    assert {"craniosacral-therapy", "biodynamic-craniosacral-therapy", "reiki"} <= slugs
    assert {"visceral-manipulation", "lymphatic-drainage", "massage-therapy"} <= slugs
    assert set(response.json()[0]) == {"slug", "name"}


def test_a_location_edit_from_a_stale_copy_keeps_the_listing(berlin):
    """Geocoding runs before the transaction: a publish change meanwhile must survive."""
    from directory import services

    mitte = berlin["mitte"]
    stale = mitte.locations.get()  # loaded while published and listed
    services.profile_update(profile=mitte, is_published=False)
    services.location_update(location=stale, name="Renamed", latitude=52.5, longitude=13.4)
    fresh = mitte.locations.get()
    assert (fresh.name, fresh.is_listed, fresh.is_active) == ("Renamed", False, True)
