"""Search results show each practitioner's profile photo, read for the whole page at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.directory.images import encoded, upload
from tests.factories import client_for, make_practitioner

pytestmark = pytest.mark.django_db

URL = "/api/v1/practitioners/"
PROFILE_PHOTO = "/api/v1/me/profile/photo/"


def put_photo(user):
    content = encoded("JPEG", size=(320, 240))
    response = client_for(user).put(PROFILE_PHOTO, {"image": upload(content)}, format="multipart")
    assert response.status_code == 200, response.json()
    return response.json()


def results(api_client, **params):
    response = api_client.get(URL, {"near": "52.52,13.405", **params})
    assert response.status_code == 200, response.json()
    return {r["display_name"]: r for r in response.json()["results"]}


def test_a_result_carries_the_small_photo_or_null(api_client):
    mira, _, _ = make_practitioner(name="Mira Lind")
    make_practitioner(name="Ola Plain", latitude=52.53)
    assert results(api_client)["Mira Lind"]["photo_url"] is None

    photo = put_photo(mira)

    found = results(api_client)
    assert found["Mira Lind"]["photo_url"] == photo["variants"]["small"]["url"]
    assert found["Mira Lind"]["photo_url"].startswith("http://testserver/")
    assert found["Ola Plain"]["photo_url"] is None
    # Orderings that re-rank the page in Python (availability) show it too.
    ranked = results(api_client, ordering="next_available")
    assert ranked["Mira Lind"]["photo_url"] == photo["variants"]["small"]["url"]

    assert client_for(mira).delete(PROFILE_PHOTO).status_code == 204
    assert results(api_client)["Mira Lind"]["photo_url"] is None


def test_photos_cost_one_query_whatever_the_page_size(api_client):
    def queries(page_size: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            found = results(api_client, page_size=page_size)
        assert len(found) == page_size
        assert all(r["photo_url"] for r in found.values())
        return len(ctx.captured_queries)

    for n in range(6):
        user, _, _ = make_practitioner(name=f"Photo {n}", latitude=52.52 + n * 0.001)
        put_photo(user)
    assert queries(2) == queries(6)
    with CaptureQueriesContext(connection) as ctx:
        results(api_client, page_size=6)
    photo_reads = [q for q in ctx.captured_queries if "directory_photo" in q["sql"]]
    assert len(photo_reads) == 1
