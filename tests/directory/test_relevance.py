"""The relevance set (bench.relevance) through the API: precision@5 at least 0.9.

The set has 36 queries of every kind the search must get right (names, modality words,
stemmed and German forms, one-typo words, prefixes, two-word queries). 0.9 leaves room
for two or three imperfect rankings among them, but any regression of a whole kind (the
stemmer, the correction, the field weights, the distance blend) costs more than that.
"""

import pytest

from bench import relevance

pytestmark = pytest.mark.django_db

URL = "/api/v1/practitioners/"


def test_precision_at_5(api_client):
    relevance.load()

    def search(q, near):
        response = api_client.get(URL, {"q": q, "near": near, "radius_km": relevance.RADIUS_KM})
        assert response.status_code == 200, response.content
        return [r["id"] for r in response.json()["results"]]

    precision, rows = relevance.precision_at_5(search)
    misses = [(q, p, top) for q, p, top in rows if p < 1]
    print(f"precision@5 = {precision:.3f}; imperfect: {misses}")
    assert len(relevance.QUERIES) >= 30
    assert precision >= 0.9, misses
