"""The text search's part of bench.search: `q` with and without a point, facets,
autocomplete, and the relevance set, against the former `icontains` search in the same run.

Queries come in kinds (names, modality words, condition words, two words, typos), each
near the same gazetteer cities as the geo benchmark. The former search is
`practitioner_search(substrings=...)`: the same statement with the words as LIKE
patterns on name, headline and bio. Every timing is the selector's, first page of 20
with its total (as the API reads it), after one untimed pass.
"""

from __future__ import annotations

import random
import statistics
import sys
import time

from bench.setup import percentile

KINDS = {
    "name": ["Lind", "Novak", "Schmidt", "Tanaka", "Okafor", "Dubois", "Mira", "Kenji"],
    "two-word name": ["Anna Lind", "Lukas Meyer", "Mei Chen", "Omar Khan", "Lucia Rossi"],
    "modality": ["craniosacral", "reiki", "shiatsu", "massage", "reflexology", "osteopathy"],
    "condition": ["headaches", "babies", "stress", "jaw", "injury", "breath"],
    "two words": ["craniosacral babies", "gentle reiki", "massage stress", "shiatsu sleep"],
    "typo": ["craniosacrl", "reikki", "massge", "shiatzu", "headahces"],
}
AUTOCOMPLETE = ["cra", "rei", "ber", "lin", "anna l", "mass", "tok", "shi", "craniosacrl", "lond"]
FACETS = ("modality", "language", "mode", "price", "rating")


def _time(func, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = func(*args, **kwargs)
    return (time.perf_counter() - started) * 1000, result


def measure(points, *, queries: int, seed: int) -> dict:
    """Timings (ms) per (search, kind) for the text search and its baseline."""
    from directory import facets as facet_module
    from directory.selectors import practitioner_search, suggestions

    rng = random.Random(seed)
    plan = [
        (kind, rng.choice(words), points[i % len(points)])
        for kind, words in KINDS.items()
        for i in range(queries)
    ]

    def text_near(q, point):
        return practitioner_search(point=point, radius_km=25.0, q=q).page(limit=20)

    def like_near(q, point):
        return practitioner_search(point=point, radius_km=25.0, substrings=q).page(limit=20)

    def text_alone(q, point):
        return practitioner_search(q=q).page(limit=20)

    def like_alone(q, point):
        return practitioner_search(substrings=q).page(limit=20)

    def text_near_facets(q, point):
        search = practitioner_search(point=point, radius_km=25.0, q=q)
        return search.page(limit=20), facet_module.facet_counts(search.criteria, FACETS)

    searches = {
        "q + point 25 km": (text_near, like_near),
        "q alone": (text_alone, like_alone),
        "q + point + 5 facets": (text_near_facets, text_near),
    }
    timings: dict[tuple[str, str], dict[str, list[float]]] = {}
    for name, (func, baseline) in searches.items():
        for _kind, q, point in plan:  # warm-up pass
            func(q, point)
        for kind, q, point in plan:
            row = timings.setdefault((name, kind), {"new": [], "baseline": []})
            row["new"].append(_time(func, q, point)[0])
        for _kind, q, point in plan:
            baseline(q, point)
        for kind, q, point in plan:
            timings[(name, kind)]["baseline"].append(_time(baseline, q, point)[0])
        print(f"bench.search: text, {name}: done", file=sys.stderr, flush=True)

    completions = [
        (AUTOCOMPLETE[i % len(AUTOCOMPLETE)], points[i % len(points)]) for i in range(queries * 3)
    ]
    for q, point in completions:
        suggestions(q=q, near=point)
    auto = [_time(suggestions, q=q, near=point)[0] for q, point in completions]
    auto_alone = [_time(suggestions, q=q, near=None)[0] for q, _ in completions]
    return {"timings": timings, "autocomplete": auto, "autocomplete_alone": auto_alone}


def relevance_precision() -> tuple[float, list]:
    """precision@5 of bench.relevance, its corpus loaded into this database once."""
    from bench import relevance
    from directory.geo import Point
    from directory.models import PractitionerProfile
    from directory.selectors import practitioner_search

    if not PractitionerProfile.objects.filter(user__email__startswith="relevance-").exists():
        relevance.load()

    def search(q, near):
        latitude, longitude = map(float, near.split(","))
        found = practitioner_search(
            point=Point(latitude, longitude), radius_km=relevance.RADIUS_KM, q=q
        )
        profiles, _ = found.page(limit=5)
        return [str(p.pk) for p in profiles]

    return relevance.precision_at_5(search)


def print_tables(result: dict, *, vendor: str, n: int, queries: int) -> None:
    print()
    print(f"Text search, {vendor}, {n} practitioners, {queries} queries per kind (selector)")
    print(
        f"| {'search':<21}| {'kind':<14}| {'p50 ms':>7} | {'p95 ms':>7} |"
        f" {'baseline p50':>12} | {'ratio':>7} |"
    )
    print(f"|{'-' * 22}|{'-' * 15}|{'-' * 9}|{'-' * 9}|{'-' * 14}|{'-' * 9}|")
    for (name, kind), row in result["timings"].items():
        p50, base = statistics.median(row["new"]), statistics.median(row["baseline"])
        print(
            f"| {name:<21}| {kind:<14}| {p50:>7.2f} | {percentile(row['new'], 95):>7.2f} |"
            f" {base:>12.2f} | {base / p50:>6.2f}x |"
        )
    for name in ("q + point 25 km", "q alone", "q + point + 5 facets"):
        new = [t for (s, _), row in result["timings"].items() if s == name for t in row["new"]]
        base = [
            t for (s, _), row in result["timings"].items() if s == name for t in row["baseline"]
        ]
        p50, b50 = statistics.median(new), statistics.median(base)
        print(
            f"| {name:<21}| {'all kinds':<14}| {p50:>7.2f} | {percentile(new, 95):>7.2f} |"
            f" {b50:>12.2f} | {b50 / p50:>6.2f}x |"
        )
    print(
        "Baseline: the former icontains search (q + point, q alone); for facets, the same"
        " search without facets (ratio < 1: facets cost that much more)."
    )
    for label, values in (
        ("autocomplete, near a city", result["autocomplete"]),
        ("autocomplete, no point", result["autocomplete_alone"]),
    ):
        print(
            f"{label}: p50 {statistics.median(values):.2f} ms,"
            f" p95 {percentile(values, 95):.2f} ms ({len(values)} queries)"
        )
