"""Geo search benchmark: selector and HTTP stack against a naive Python scan.

    python -m bench.search --n 100000 [--database-url URL] [--queries 200]
    .ci/with-postgres .venv/bin/python -m bench.search --n 1000000
    python -m bench.search --n 1000000 --existing --database-url URL  # seeded already

Seeds a throwaway database (a temporary SQLite file, or a new database on the
PostgreSQL server of --database-url / DATABASE_URL, dropped afterwards) with
`seed_demo`, then runs the same queries near gazetteer cities at 25 and 100 km
through `practitioner_search` (first page of 20 plus the total count, as the
API does), through the HTTP stack (Django test client), and through the naive
baseline (every location into Python, geopy great_circle, sort), after one
untimed pass over the same points (steady state, as on a running server). Prints p50
and p95 and the ratio of the naive p50 to each, and checks that the top 20 ids
agree with the baseline; exits 1 if they do not.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from bench.setup import (
    analyze,
    in_process_env,
    migrate,
    percentile,
    prepare_database,
    query_cities,
    seed_directory,
    seed_ratings,
    setup_django,
)

RADII = (25.0, 100.0)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="practitioners to seed")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--queries", type=int, default=200, help="queries per radius")
    parser.add_argument(
        "--naive-queries",
        type=int,
        default=20,
        help="queries per radius for the slow naive baseline (and the top-20 check)",
    )
    parser.add_argument(
        "--unplaced-queries",
        type=int,
        default=20,
        help="queries per kind of search without a point (each sorts every practitioner)",
    )
    parser.add_argument(
        "--text-queries", type=int, default=40, help="text queries per kind (0: no text part)"
    )
    parser.add_argument(
        "--skip-geo", action="store_true", help="measure the text search only (no geo tables)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--existing",
        action="store_true",
        help="measure the database of --database-url as it is (already seeded by seed_demo"
        " with --n practitioners) instead of seeding a throwaway one: 1M takes minutes to seed",
    )
    parser.add_argument(
        "--explain", action="store_true", help="print the plan of the first query's page"
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.existing and not args.database_url:
        print("bench.search: --existing needs --database-url", file=sys.stderr)
        return 2
    if args.existing:
        url, cleanup = args.database_url, lambda: None
    else:
        url, cleanup = prepare_database(args.database_url)
    setup_django(**in_process_env(url))
    try:
        return run(args)
    finally:
        cleanup()


def run(args) -> int:
    from django.db import connection
    from django.test import Client
    from geopy.distance import great_circle

    from directory.geo import Point
    from directory.models import Location, PractitionerProfile
    from directory.selectors import practitioner_search

    vendor = connection.vendor
    print(f"bench.search: {vendor}, {args.n} practitioners", flush=True)
    if args.existing:
        seeded = PractitionerProfile.objects.filter(is_published=True).count()
        print(f"bench.search: existing database, {seeded} published practitioners", flush=True)
    else:
        migrate()
        started = time.monotonic()
        seed_directory(practitioners=args.n, seed=args.seed)
        rated = seed_ratings(fraction=0.7, seed=args.seed)
        print(
            f"bench.search: seeded in {time.monotonic() - started:.1f} s ({rated} rated)",
            flush=True,
        )
    analyze()

    points = [
        Point(c.latitude, c.longitude) for c in query_cities(count=args.queries, seed=args.seed)
    ]
    client = Client()

    def selector_query(point, radius):
        # As the API's paginator asks: the page is loaded with its total count.
        profiles, _total = practitioner_search(point=point, radius_km=radius).page(limit=20)
        return [str(p.pk) for p in profiles]

    def http_query(point, radius):
        response = client.get(
            "/api/v1/practitioners/",
            {"near": f"{point.latitude},{point.longitude}", "radius_km": radius},
        )
        assert response.status_code == 200, response.content[:300]
        return [r["id"] for r in response.json()["results"]]

    def naive_query(point, radius):
        rows = Location.objects.filter(is_active=True, practitioner__is_published=True).values_list(
            "practitioner_id", "latitude", "longitude"
        )
        nearest: dict = {}
        origin = (point.latitude, point.longitude)
        for practitioner_id, latitude, longitude in rows:
            d = great_circle(origin, (latitude, longitude)).km
            if d <= radius and d < nearest.get(practitioner_id, float("inf")):
                nearest[practitioner_id] = d
        ranked = sorted(nearest.items(), key=lambda item: (item[1], str(item[0])))
        return [str(pk) for pk, _ in ranked[:20]]

    if args.explain:
        sql, params = practitioner_search(point=points[0], radius_km=25.0).page_sql(limit=20)
        explain = "EXPLAIN ANALYZE " if vendor == "postgresql" else "EXPLAIN QUERY PLAN "
        with connection.cursor() as cursor:
            cursor.execute(explain + sql, params)
            print("\n".join(" ".join(map(str, row)) for row in cursor.fetchall()), flush=True)

    if args.skip_geo:
        return run_text(args, points, vendor)

    # Steady state, as on a running server: one untimed pass over every point warms the
    # connection, the compiled statements and the database pages the queries touch.
    for radius in RADII:
        for point in points:
            selector_query(point, radius)
    for point in points[:5]:
        http_query(point, 25.0)
    print("bench.search: warm-up pass done", file=sys.stderr, flush=True)

    rows, mismatches, checked = [], 0, 0
    for radius in RADII:
        timings = {"selector": [], "http": [], "naive": []}
        results = {}
        for method, func, count in (
            ("selector", selector_query, len(points)),
            ("http", http_query, len(points)),
            ("naive", naive_query, min(args.naive_queries, len(points))),
        ):
            for i, point in enumerate(points[:count]):
                t0 = time.perf_counter()
                ids = func(point, radius)
                timings[method].append((time.perf_counter() - t0) * 1000)
                results[(method, i)] = ids
            print(
                f"bench.search: {method} at {radius:g} km: {count} queries done",
                file=sys.stderr,
                flush=True,
            )
        for i in range(min(args.naive_queries, len(points))):
            checked += 1
            for method in ("selector", "http"):
                if results[(method, i)] != results[("naive", i)]:
                    mismatches += 1
                    print(f"MISMATCH {method} radius {radius} point {points[i]}", file=sys.stderr)
        naive_p50 = statistics.median(timings["naive"])
        for method in ("selector", "http", "naive"):
            p50 = statistics.median(timings[method])
            rows.append((method, radius, p50, percentile(timings[method], 95), naive_p50 / p50))

    unplaced_rows, unplaced_mismatches = measure_without_point(client, args)
    mismatches += unplaced_mismatches

    print()
    print(f"Geo search, {vendor}, {args.n} practitioners, {len(points)} queries per radius")
    print(f"| {'method':<9}| {'radius km':>9} | {'p50 ms':>9} | {'p95 ms':>9} | ratio to naive |")
    print(f"|{'-' * 10}|{'-' * 11}|{'-' * 11}|{'-' * 11}|{'-' * 16}|")
    for method, radius, p50, p95, ratio in rows:
        print(f"| {method:<9}| {radius:>9g} | {p50:>9.2f} | {p95:>9.2f} | {ratio:>13.1f}x |")
    print()
    print(f"Search without a point (HTTP, best rated first), {args.unplaced_queries} queries each")
    print(
        f"| {'query':<14}| {'p50 ms':>9} | {'p95 ms':>9} | {'naive p50 ms':>12} | ratio to naive |"
    )
    print(f"|{'-' * 15}|{'-' * 11}|{'-' * 11}|{'-' * 14}|{'-' * 16}|")
    for name, p50, p95, naive_p50 in unplaced_rows:
        print(
            f"| {name:<14}| {p50:>9.2f} | {p95:>9.2f} | {naive_p50:>12.2f} |"
            f" {naive_p50 / p50:>13.1f}x |"
        )
    verdict = "agree" if not mismatches else f"DISAGREE in {mismatches} comparisons"
    print(f"\nTop-20 ids vs naive baseline ({checked} queries x 2 methods): {verdict}")
    text_status = run_text(args, points, vendor)
    return 1 if mismatches else text_status


def run_text(args, points, vendor) -> int:
    """The text search's tables (bench.text_search) and the relevance set's precision@5."""
    from bench import text_search

    if args.text_queries:
        result = text_search.measure(points, queries=args.text_queries, seed=args.seed)
        text_search.print_tables(result, vendor=vendor, n=args.n, queries=args.text_queries)
    precision, rows = text_search.relevance_precision()
    misses = [(q, top) for q, p, top in rows if p < 1]
    print(f"Relevance set: precision@5 = {precision:.3f} over {len(rows)} queries; misses {misses}")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"Load average at the end (1, 5, 15 min): {load} on {os.cpu_count()} CPUs")
    return 0


UNPLACED_QUERIES = {"default": {}, "min_rating=4": {"min_rating": 4}}


def measure_without_point(client, args) -> tuple[list, int]:
    """`/practitioners/` with no search point (ordered by rating) against a Python sort of
    every published profile's rating; the first page's ids must agree."""
    from directory.models import PractitionerProfile
    from reviews.models import PractitionerRating

    def naive(min_rating):
        ratings = {
            r.practitioner_id: r
            for r in PractitionerRating.objects.only(
                "practitioner_id", "rating_average", "rating_count"
            )
        }
        ranked = []
        for pk in PractitionerProfile.objects.filter(is_published=True).values_list(
            "pk", flat=True
        ):
            rating = ratings.get(pk)
            average = rating.rating_average if rating else None
            if min_rating is not None and (average is None or average < min_rating):
                continue
            count = rating.rating_count if rating else 0
            ranked.append((average is None, -(average or 0), -count, str(pk)))
        ranked.sort()
        return [pk for *_, pk in ranked[:20]]

    rows, mismatches = [], 0
    for name, params in UNPLACED_QUERIES.items():
        http_times, naive_times = [], []
        client.get("/api/v1/practitioners/", params)  # warm
        for _ in range(args.unplaced_queries):
            t0 = time.perf_counter()
            response = client.get("/api/v1/practitioners/", params)
            http_times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.content[:300]
        ids = [r["id"] for r in response.json()["results"]]
        for _ in range(max(1, min(args.naive_queries, args.unplaced_queries))):
            t0 = time.perf_counter()
            expected = naive(params.get("min_rating"))
            naive_times.append((time.perf_counter() - t0) * 1000)
        if ids != expected:
            mismatches += 1
            print(f"MISMATCH without a point: {name}", file=sys.stderr)
        rows.append(
            (
                name,
                statistics.median(http_times),
                percentile(http_times, 95),
                statistics.median(naive_times),
            )
        )
        print(f"bench.search: without a point, {name}: done", file=sys.stderr, flush=True)
    return rows, mismatches


if __name__ == "__main__":
    sys.exit(main())
