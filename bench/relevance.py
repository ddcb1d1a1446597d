"""The relevance set: a fixed corpus of practitioners and queries with their expected top
results, scored as precision@5 (bench.search prints it; tests/directory assert it).

The corpus lives in the open Atlantic (no gazetteer city within hundreds of km), so that
queries near CENTER see it alone even in a database seeded with a million demo
practitioners. It is written through directory.services, as practitioners write their
profiles, so it also exercises the index maintenance.

Each query's expected keys are the practitioners a person would want in the first five,
in no order; precision@5 of a query is the share of its first min(5, len(expected))
results that are expected.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

CENTER = (0.5, -30.5)
RADIUS_KM = 60


@dataclass(frozen=True)
class Entry:
    key: str
    name: str
    modalities: tuple[str, ...]
    headline: str
    bio: str
    languages: tuple[str, ...] = ("en",)
    km: float = 5.0  # north of CENTER


CORPUS = (
    Entry(
        "anna",
        "Anna Lindqvist",
        ("craniosacral-therapy",),
        "Gentle craniosacral therapy for adults and babies",
        "I help people recover from headaches, birth and stress with light touch.",
        km=3,
    ),
    Entry(
        "bodo",
        "Bodo Kranich",
        ("craniosacral-therapy", "visceral-manipulation"),
        "Kraniosakrale Therapie in Ruhe",
        "Ich arbeite mit Erwachsenen und Kindern bei Schmerzen und Verspannungen.",
        languages=("de",),
        km=8,
    ),
    Entry(
        "chloe",
        "Chloe Marchetti",
        ("massage-therapy",),
        "Deep tissue and relaxing massages",
        "Sports massage, pregnancy massage and lymphatic work for athletes.",
        km=12,
    ),
    Entry(
        "dev",
        "Dev Raman",
        ("reiki",),
        "Reiki sessions for calm and sleep",
        "Energy work that helps with anxiety and insomnia.",
        km=2,
    ),
    Entry(
        "elin",
        "Elin Sandberg",
        ("shiatsu", "acupressure"),
        "Shiatsu and acupressure",
        "Traditional Japanese pressure point therapy for back pain and fatigue.",
        km=20,
    ),
    Entry(
        "farid",
        "Farid Haddad",
        ("myofascial-release",),
        "Myofascial release for chronic pain",
        "Slow sustained pressure for fibromyalgia, scars and posture.",
        km=15,
    ),
    Entry(
        "greta",
        "Greta Vogel",
        ("lymphatic-drainage",),
        "Manuelle Lymphdrainage nach Operationen",
        "Lymphdrainage bei Schwellungen, nach Brustkrebs und bei Lipödem.",
        languages=("de", "en"),
        km=6,
    ),
    Entry(
        "hiro",
        "Hiro Tanaka",
        ("reflexology",),
        "Foot reflexology",
        "Reflexology of the feet and hands for relaxation and digestion.",
        km=25,
    ),
    Entry(
        "ines",
        "Ines Duarte",
        ("feldenkrais-method",),
        "Feldenkrais lessons: awareness through movement",
        "Group classes and individual sessions for musicians and dancers.",
        languages=("pt", "en"),
        km=9,
    ),
    Entry(
        "jonas",
        "Jonas Becker",
        ("cranial-osteopathy", "craniosacral-therapy"),
        "Cranial osteopathy for infants",
        "Settling colic, reflux and feeding difficulties in newborns.",
        km=30,
    ),
    Entry(
        "kaia",
        "Kaia Nordahl",
        ("polarity-therapy",),
        "Polarity therapy and breathwork",
        "Balancing energy through touch, movement and breathing exercises.",
        km=18,
    ),
    Entry(
        "lucia",
        "Lucia Romero",
        ("somatoemotional-release", "craniosacral-therapy"),
        "Somatoemotional release",
        "Trauma-informed bodywork; craniosacral sessions for emotional stress.",
        languages=("es", "en"),
        km=4,
    ),
    Entry(
        "mateo",
        "Mateo Silva",
        ("massage-therapy", "myofascial-release"),
        "Therapeutic massage for runners",
        "Injury recovery, knee and hip pain, stretching after marathons.",
        km=35,
    ),
    Entry(
        "nadia",
        "Nadia Petrova",
        ("biodynamic-craniosacral-therapy",),
        "Biodynamic craniosacral therapy",
        "A still, listening approach for birth trauma and chronic fatigue.",
        km=10,
    ),
    Entry(
        "oskar",
        "Oskar Lindberg",
        ("reiki", "polarity-therapy"),
        "Reiki master and teacher",
        "Reiki training courses, attunements and distance healing.",
        km=40,
    ),
    Entry(
        "priya",
        "Priya Nair",
        ("acupressure",),
        "Acupressure for migraines",
        "Headache and migraine relief with pressure points and neck release.",
        km=7,
    ),
    Entry(
        "quentin",
        "Quentin Moreau",
        ("visceral-manipulation",),
        "Visceral manipulation for digestion",
        "Gentle abdominal work for bloating, reflux and scar tissue.",
        languages=("fr",),
        km=22,
    ),
    Entry(
        "rosa",
        "Rosa Brandt",
        ("massage-therapy",),
        "Massage für Schwangere",
        "Entspannende Massagen in der Schwangerschaft und danach.",
        languages=("de",),
        km=14,
    ),
    Entry(
        "sami",
        "Sami Okafor",
        ("shiatsu",),
        "Zen shiatsu",
        "Meridian stretches and shiatsu on the futon for stress and sleep problems.",
        km=28,
    ),
    Entry(
        "tove",
        "Tove Anker",
        ("lymphatic-drainage", "massage-therapy"),
        "Lymphatic drainage massage",
        "Reducing swelling after surgery; gentle rhythmic massage of the lymph system.",
        km=16,
    ),
)

# (query, expected keys). Kinds: exact names, modality words, stemmed forms, one-typo
# words, two-word queries, German words.
QUERIES = (
    ("Anna Lindqvist", {"anna"}),
    ("Lindqvist", {"anna"}),
    ("Bodo Kranich", {"bodo"}),
    ("Tanaka", {"hiro"}),
    ("Petrova", {"nadia"}),
    ("Oskar Lindberg", {"oskar"}),
    ("reiki", {"dev", "oskar"}),
    ("shiatsu", {"elin", "sami"}),
    ("reflexology", {"hiro"}),
    ("feldenkrais", {"ines"}),
    ("craniosacral", {"anna", "bodo", "jonas", "lucia", "nadia"}),
    ("myofascial", {"farid", "mateo"}),
    ("polarity", {"kaia", "oskar"}),
    ("acupressure", {"elin", "priya"}),
    ("massages", {"chloe", "mateo", "rosa", "tove"}),
    ("migraine", {"priya"}),
    ("headaches", {"anna", "priya"}),
    ("runner", {"mateo"}),
    ("infant", {"jonas"}),
    ("musician", {"ines"}),
    ("craniosacrl", {"anna", "bodo", "jonas", "lucia", "nadia"}),
    ("reikki", {"dev", "oskar"}),
    ("shiatzu", {"elin", "sami"}),
    ("reflexologie", {"hiro"}),
    ("lymphatik", {"greta", "tove"}),
    ("Tanak", {"hiro"}),
    ("reiki sleep", {"dev"}),
    ("massage pregnancy", {"chloe"}),
    ("lymphatic drainage", {"greta", "tove"}),
    ("craniosacral babies", {"anna"}),
    ("visceral digestion", {"quentin"}),
    ("Schmerzen", {"bodo"}),
    ("Lymphdrainage", {"greta"}),
    ("Schwangerschaft", {"rosa"}),
    ("biodynamic", {"nadia"}),
    ("trauma", {"lucia", "nadia"}),
)


def point_km_north(km: float) -> tuple[float, float]:
    return CENTER[0] + km / 111.2, CENTER[1]


def load() -> dict[str, object]:
    """Write the corpus through directory.services; returns key -> profile."""
    from django.utils import timezone

    from accounts.models import Role, User
    from directory import services

    profiles = {}
    for entry in CORPUS:
        user = User.objects.create_user(
            email=f"relevance-{entry.key}@example.org",
            password=None,
            name=entry.name,
            role=Role.PRACTITIONER,
            email_verified_at=timezone.now(),  # publishing needs a verified address
        )
        profile = services.profile_create_for_practitioner(user=user)
        latitude, longitude = point_km_north(entry.km)
        location = services.location_create(
            profile=profile, city="Atlantis", latitude=latitude, longitude=longitude
        )
        services.service_create(
            profile=profile,
            name="Session",
            duration_minutes=60,
            price_amount=8000,
            currency="EUR",
            mode="in_person",
            location=location,
        )
        services.availability_rule_create(
            profile=profile, weekday=0, start_minute=9 * 60, end_minute=17 * 60
        )
        profiles[entry.key] = services.profile_update(
            profile=profile,
            display_name=entry.name,
            headline=entry.headline,
            bio=entry.bio,
            languages=list(entry.languages),
            modalities=list(entry.modalities),
            is_published=True,
        )
    return profiles


def precision_at_5(search) -> tuple[float, list[tuple[str, float, list[str]]]]:
    """The mean precision@5 over QUERIES and each query's (query, precision, top keys).

    `search(q, near)` returns the result ids in order; `near` is "lat,lng" of CENTER.
    """
    from directory.models import PractitionerProfile

    keys = {
        str(pk): slug_key
        for pk, slug_key in (
            (p.pk, p.user.email.split("@")[0].removeprefix("relevance-"))
            for p in PractitionerProfile.objects.filter(
                user__email__startswith="relevance-"
            ).select_related("user")
        )
    }
    rows = []
    for q, expected in QUERIES:
        top = [keys.get(pk, "?") for pk in search(q, f"{CENTER[0]},{CENTER[1]}")[:5]]
        wanted = min(5, len(expected))
        hits = sum(1 for key in top[:wanted] if key in expected)
        rows.append((q, hits / wanted, top))
    return statistics.mean(p for _, p, _ in rows), rows
