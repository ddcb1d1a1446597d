"""What every benchmark needs before it measures: Django, a database, seeded rows, clients.

Nothing here imports Django at module level: a benchmark sets the environment the
settings read (`setup_django`) first, and only then touches models.
"""

from __future__ import annotations

import os
import random
import secrets
import socket
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def prepare_database(url: str) -> tuple[str, callable]:
    """A throwaway database URL and a function that removes it.

    A temporary SQLite file without a PostgreSQL `url`, else a new database on that server.
    """
    if not url or url.startswith("sqlite"):
        directory = tempfile.mkdtemp(prefix="stillpoint-bench-")
        path = Path(directory) / "bench.sqlite3"

        def cleanup():
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            os.rmdir(directory)

        return f"sqlite:///{path}", cleanup

    import psycopg

    name = f"stillpoint_bench_{secrets.token_hex(4)}"
    parts = urlsplit(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def cleanup():
        from django.db import connections

        connections.close_all()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(parts._replace(path=f"/{name}")), cleanup


def in_process_env(url: str) -> dict[str, str]:
    """Production-like settings for measuring in this process through Django's test client:
    no DEBUG query log, no throttling, quiet logs."""
    return {
        "DATABASE_URL": url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_hex(32),
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "testserver",
        "THROTTLE_RATES": "",
        "LOG_LEVEL": "WARNING",
        # Nothing leaves the machine: Stripe is a closed loopback port here.
        "STRIPE_API_BASE": "http://127.0.0.1:9",
    }


def setup_django(**env: str) -> None:
    """Put `env` into the environment the settings read, then set Django up."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed_directory(*, practitioners: int, seed: int, verbosity: int = 1) -> None:
    """`seed_demo`'s published practitioners around gazetteer cities, in large batches."""
    from django.core.management import call_command

    call_command(
        "seed_demo",
        practitioners=practitioners,
        seed=seed,
        batch_size=10_000,
        verbosity=verbosity,
    )


def seed_ratings(*, fraction: float, seed: int) -> int:
    """Rating summaries for a share of the published practitioners, as reviews keeps them.

    Benchmark data only: a live database gets these rows from approved reviews."""
    import random
    from decimal import Decimal

    from directory.models import PractitionerProfile
    from reviews.models import PractitionerRating

    rng = random.Random(seed)
    ids = PractitionerProfile.objects.filter(is_published=True).order_by("slug")
    rows = []
    for pk in ids.values_list("pk", flat=True).iterator(chunk_size=10_000):
        if rng.random() >= fraction:
            continue
        count = rng.randint(1, 40)
        total = rng.randint(count, 5 * count)
        average = (Decimal(total) / count).quantize(Decimal("0.01"))
        rows.append(
            PractitionerRating(
                practitioner_id=pk, rating_sum=total, rating_count=count, rating_average=average
            )
        )
    PractitionerRating.objects.bulk_create(rows, batch_size=5_000)
    return len(rows)


def analyze() -> None:
    """Fresh planner statistics, as a live database has; VACUUM also sets PG's visibility map."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def query_cities(*, count: int, seed: int) -> list:
    """Cities to search near, drawn with a weight growing with population (where people are)."""
    from directory.cities import load_cities

    cities = load_cities()
    weights = [c.population**0.75 for c in cities]
    return random.Random(seed + 1).choices(cities, weights=weights, k=count)


def make_client(*, email: str | None = None):
    from django.utils import timezone

    from accounts.models import Role, User

    return User.objects.create_user(
        email=email or f"{secrets.token_hex(5)}@bench.example",
        password=None,
        name="Bench Client",
        role=Role.CLIENT,
        email_verified_at=timezone.now(),
    )


def make_practitioner(
    name: str,
    *,
    email: str | None = None,
    timezone: str = "Europe/Berlin",
    hours: tuple[int, int] = (8, 20),
    price_amount: int = 9000,
    duration_minutes: int = 60,
    service_name: str = "Session",
    latitude: float = 52.5,
    longitude: float = 13.4,
):
    """A published practitioner bookable from now on: one Berlin location, one in-person
    service, open every day during `hours`. Returns (user, profile, service)."""
    from django.utils.timezone import now

    from accounts.models import Role, User
    from directory.models import (
        AvailabilityRule,
        Location,
        PractitionerProfile,
        Service,
        ServiceMode,
    )
    from directory.search_index import search_document_refresh
    from directory.services import search_card_refresh

    user = User.objects.create_user(
        email=email or f"{secrets.token_hex(4)}@bench.example",
        password=None,
        name=name,
        role=Role.PRACTITIONER,
        email_verified_at=now(),
    )
    profile = PractitionerProfile.objects.create(
        user=user,
        slug=f"bench-{secrets.token_hex(5)}",
        display_name=name,
        timezone=timezone,
        is_published=True,
        min_notice_minutes=0,
        max_advance_days=120,
    )
    location = Location.objects.create(
        practitioner=profile, city="Berlin", latitude=latitude, longitude=longitude, is_listed=True
    )
    service = Service.objects.create(
        practitioner=profile,
        name=service_name,
        duration_minutes=duration_minutes,
        price_amount=price_amount,
        currency="EUR",
        mode=ServiceMode.IN_PERSON,
        location=location,
    )
    search_card_refresh(profile=profile)  # rows written directly above
    search_document_refresh(profile=profile)
    AvailabilityRule.objects.bulk_create(
        AvailabilityRule(
            practitioner=profile, weekday=d, start_minute=hours[0] * 60, end_minute=hours[1] * 60
        )
        for d in range(7)
    )
    return user, profile, service


def access_token(user) -> str:
    from accounts.tokens import token_pair_for

    return token_pair_for(user)["access"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]
