"""Demo data: published practitioners around real cities of the offline gazetteer.

    python manage.py seed_demo --practitioners 300 [--seed 1] [--if-empty]

Cities are drawn with a weight growing with population, points scatter a few
km around the centre (wider for big cities), timezones, languages and
currencies follow the city's country. Rows go in with bulk inserts in batches,
so 100,000 practitioners take well under two minutes on SQLite.
Every demo practitioner can log in with password `demo-practitioner`.
"""

from __future__ import annotations

import math
import random
import secrets
import time
import uuid
from types import SimpleNamespace

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from accounts.services import users_bulk_insert
from core.money import currency_exponent, marketplace_currencies
from core.sql import bulk_insert
from directory.cities import City, load_cities
from directory.models import (
    AvailabilityRule,
    Location,
    Modality,
    PractitionerProfile,
    Service,
    ServiceMode,
)
from directory.search_cards import build_search_card
from directory.search_index import apply_documents
from directory.text import analyse

DEMO_PASSWORD = "demo-practitioner"
FIRST_NAMES = [
    "Anna",
    "Mira",
    "Lena",
    "Sofia",
    "Clara",
    "Emma",
    "Julia",
    "Nora",
    "Ida",
    "Maja",
    "Lea",
    "Hana",
    "Aiko",
    "Yuki",
    "Mei",
    "Lin",
    "Priya",
    "Asha",
    "Amara",
    "Zara",
    "Olivia",
    "Grace",
    "Chloe",
    "Isabel",
    "Lucia",
    "Marta",
    "Elena",
    "Ines",
    "Camille",
    "Louise",
    "Ingrid",
    "Astrid",
    "Freya",
    "Noah",
    "Liam",
    "Lukas",
    "Jonas",
    "Felix",
    "Elias",
    "Paul",
    "Leon",
    "Kenji",
    "Hiro",
    "Arjun",
    "Ravi",
    "Omar",
    "Yusuf",
    "Mateo",
    "Diego",
    "Pablo",
    "Marco",
    "Luca",
    "Pierre",
    "Hugo",
    "Oscar",
    "Henrik",
    "Lars",
    "Sven",
    "Thomas",
    "David",
    "Samuel",
]
LAST_NAMES = [
    "Lind",
    "Berg",
    "Novak",
    "Kowalski",
    "Schmidt",
    "Meyer",
    "Weber",
    "Fischer",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Rossi",
    "Russo",
    "Bianchi",
    "Romano",
    "Garcia",
    "Martinez",
    "Lopez",
    "Sanchez",
    "Perez",
    "Dubois",
    "Laurent",
    "Moreau",
    "Martin",
    "Bernard",
    "Silva",
    "Santos",
    "Costa",
    "Oliveira",
    "Jensen",
    "Hansen",
    "Nielsen",
    "Larsen",
    "Andersson",
    "Johansson",
    "Karlsson",
    "Tanaka",
    "Suzuki",
    "Sato",
    "Ito",
    "Kim",
    "Lee",
    "Park",
    "Chen",
    "Wang",
    "Zhang",
    "Singh",
    "Patel",
    "Sharma",
    "Khan",
    "Ali",
    "Okafor",
    "Mensah",
    "Smith",
    "Johnson",
    "Brown",
    "Taylor",
    "Wilson",
    "Davies",
    "Evans",
    "Walker",
    "Young",
    "King",
    "Wright",
    "Murphy",
]
HEADLINES = (
    "Gentle {m} for stress, pain and sleep",
    "{m} for adults, babies and families",
    "Calm, hands-on {m} in a quiet practice",
    "Certified {m} practitioner",
    "{m} and somatic bodywork",
)
BIOS = (
    "I work with light, attentive touch to help the nervous system settle. "
    "Sessions suit people recovering from injury, stress or birth.",
    "Trained for years in manual therapies; I combine {m} with breath and rest. "
    "Every session starts with a short conversation about what you need.",
    "My practice focuses on chronic tension, headaches and jaw pain. "
    "I also see babies and parents after birth.",
)
SERVICE_NAMES = ("Initial session", "Follow-up session", "Extended session", "Short session")


def demo_currency(city_currency: str) -> str:
    """The city's currency when the marketplace takes it, else the first one it does."""
    allowed = marketplace_currencies()
    return city_currency if city_currency in allowed else allowed[0]


def demo_price(rng: random.Random, *, currency: str, duration: int) -> int:
    """40 to 160 major units an hour, in minor units; a currency without minor units (JPY)
    is worth about a hundredth of a dollar, so its prices are a hundred times larger."""
    exponent = currency_exponent(currency)
    per_unit = 10**exponent if exponent else 100
    return rng.randint(40, 160) * per_unit * (duration // 15) // 4


def scatter(rng: random.Random, city: City) -> tuple[float, float]:
    """A point near the city: gaussian, sigma from 2 km (town) to ~9 km (megacity)."""
    sigma_km = 2 + 1.5 * math.log10(city.population / 15000 + 1)
    north = rng.gauss(0, sigma_km)
    east = rng.gauss(0, sigma_km)
    latitude = min(max(city.latitude + north / 111.2, -89.9), 89.9)
    longitude = city.longitude + east / (111.2 * max(math.cos(math.radians(latitude)), 0.05))
    longitude = (longitude + 180) % 360 - 180
    return round(latitude, 6), round(longitude, 6)


class Command(BaseCommand):
    help = "Create N published demo practitioners around real cities (bulk inserts)."

    def add_arguments(self, parser):
        parser.add_argument("--practitioners", type=int, default=300)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has practitioners.",
        )

    def handle(self, *args, practitioners, seed, batch_size, if_empty, **options):
        if practitioners < 0 or batch_size < 1:
            raise CommandError("--practitioners must be >= 0 and --batch-size >= 1")
        if if_empty and PractitionerProfile.objects.exists():
            self.stdout.write("seed_demo: practitioners exist already; nothing to do")
            return
        modalities = list(Modality.objects.order_by("slug"))
        if not modalities:
            raise CommandError("No modalities: run `manage.py migrate` first.")
        rng = random.Random(seed)
        cities = load_cities()
        weights = [c.population**0.75 for c in cities]
        cumulative = []
        total = 0.0
        for w in weights:
            total += w
            cumulative.append(total)
        password = make_password(DEMO_PASSWORD)
        run = secrets.token_hex(3)
        started = time.monotonic()
        done = 0
        while done < practitioners:
            size = min(batch_size, practitioners - done)
            chosen = rng.choices(cities, cum_weights=cumulative, k=size)
            with transaction.atomic():
                self._batch(rng, chosen, modalities, password, run, done)
            done += size
            elapsed = time.monotonic() - started
            self.stdout.write(f"seed_demo: {done}/{practitioners} practitioners ({elapsed:.1f} s)")
        self.stdout.write(self.style.SUCCESS(f"seed_demo: done, password {DEMO_PASSWORD!r}"))

    def _batch(self, rng, chosen, modalities, password, run, offset):
        now = timezone.now()
        users, profiles, links, locations, services, rules = [], [], [], [], [], []
        documents = {}
        for n, city in enumerate(chosen, start=offset):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            name = f"{first} {last}"
            user_id = uuid.uuid4()
            users.append(
                {
                    "id": user_id,
                    "email": f"demo-{run}-{n}@example.org",
                    "name": name,
                    "role": Role.PRACTITIONER,
                    "password": password,
                    "date_joined": now,
                    "email_verified_at": now,  # demo accounts can publish and book at once
                    "is_active": True,
                    "is_staff": False,
                    "is_superuser": False,
                }
            )
            picked = rng.sample(modalities, k=rng.choice((1, 1, 2, 3)))
            languages = list(city.languages)
            if "en" not in languages and rng.random() < 0.5:
                languages.append("en")
            offers_online = rng.random() < 0.3
            profile_id = uuid.uuid4()
            profile = {
                "id": profile_id,
                "user_id": user_id,
                "slug": f"{first}-{last}-{run}{n}".lower(),
                "display_name": name,
                "headline": rng.choice(HEADLINES).format(m=picked[0].name).capitalize(),
                "bio": rng.choice(BIOS).format(m=picked[0].name.lower()),
                "languages": languages,
                "timezone": city.timezone,
                "offers_online": offers_online,
                "is_published": True,
                "min_notice_minutes": rng.choice((60, 120, 240, 1440)),
                "buffer_minutes": rng.choice((0, 10, 15)),
                "cancellation_window_hours": rng.choice((24, 48)),
                "late_cancellation_refund_percent": rng.choice((0, 50)),
                "created_at": now,
                "updated_at": now,
                "max_advance_days": 90,
            }
            links.extend(
                {"practitionerprofile_id": profile_id, "modality_id": m.id} for m in picked
            )
            own_locations = []
            for k in range(1 if rng.random() < 0.7 else 2):
                latitude, longitude = scatter(rng, city)
                own_locations.append(
                    {
                        "id": uuid.uuid4(),
                        "practitioner_id": profile_id,
                        "region": "",
                        "postal_code": "",
                        "is_active": True,
                        "is_listed": True,  # the profile is published
                        "name": "Practice" if k == 0 else "Second practice",
                        "address_line": f"{rng.randint(1, 200)} Demo Street",
                        "city": city.name,
                        "country": city.country,
                        "latitude": latitude,
                        "longitude": longitude,
                        "created_at": now,
                    }
                )
            locations.extend(own_locations)
            currency = demo_currency(city.currency)
            own_services = []
            for k in range(rng.randint(1, 3)):
                online = offers_online and (k == 1 or rng.random() < 0.2)
                duration = rng.choice((30, 45, 60, 60, 75, 90))
                own_services.append(
                    {
                        "id": uuid.uuid4(),
                        "practitioner_id": profile_id,
                        "description": "",
                        "is_active": True,
                        "name": SERVICE_NAMES[k % len(SERVICE_NAMES)],
                        "duration_minutes": duration,
                        "price_amount": demo_price(rng, currency=currency, duration=duration),
                        "currency": currency,
                        "mode": ServiceMode.ONLINE if online else ServiceMode.IN_PERSON,
                        "location_id": None if online else rng.choice(own_locations)["id"],
                        "created_at": now,
                    }
                )
            profile["search_card"] = build_search_card(
                modalities=picked,
                active_locations=[SimpleNamespace(**row) for row in own_locations],
                active_services=[SimpleNamespace(**row) for row in own_services],
            )
            profiles.append(profile)
            documents[profile_id] = analyse(
                name=name,
                modalities=[m.name for m in picked],
                headline=profile["headline"],
                bio=profile["bio"],
                languages=languages,
            )
            services.extend(own_services)
            start = rng.choice((8, 9, 10)) * 60
            end = start + rng.choice((6, 8, 9)) * 60
            for weekday in sorted(rng.sample(range(7), k=rng.randint(3, 6))):
                rules.append(
                    {
                        "id": uuid.uuid4(),
                        "practitioner_id": profile_id,
                        "location_id": None,
                        "weekday": weekday,
                        "start_minute": start,
                        "end_minute": end,
                    }
                )
        users_bulk_insert(users)
        for model, rows in (
            (PractitionerProfile, profiles),
            (PractitionerProfile.modalities.through, links),
            (Location, locations),
            (Service, services),
            (AvailabilityRule, rules),
        ):
            bulk_insert(model, rows)
        apply_documents(documents, fresh=True)  # all published: in the text index
