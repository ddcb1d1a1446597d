"""Demo reviews: approved reviews of past sessions, and ratings made of exactly those.

    python manage.py seed_demo_reviews [--share 0.6] [--seed 1] [--if-empty]

For a share of the published practitioners without reviews (those of `seed_demo`),
one to six demo clients each had a completed session and wrote an approved review.
The practitioner's rating is then the sum over those reviews, as `reviews.services`
keeps it: a profile's `review_count` is the number of reviews its public list shows.
Demo clients log in with password `demo-client`.
"""

from __future__ import annotations

import random
import secrets
import uuid
from collections import defaultdict
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from accounts.services import users_bulk_insert
from bookings.demo import completed_bookings_bulk
from directory.models import PractitionerProfile, Service
from reviews.models import PractitionerRating, Review, ReviewStatus
from reviews.services import rating_average

DEMO_CLIENT_PASSWORD = "demo-client"
CLIENT_NAMES = ("Sam Weller", "Ada Brook", "Noor Haddad", "Lukas Berg", "Ines Costa", "Kai Moon")
TEXTS = {
    5: (
        "Calm, attentive and kind. I left lighter than I came.",
        "Exactly what I needed after a hard month; I have booked again.",
    ),
    4: (
        "A careful session in a quiet room. Starting a little late was the only flaw.",
        "Good listening and a gentle touch; my shoulders feel better.",
    ),
    3: ("Pleasant, though I hoped for more time to talk about my back.",),
    2: ("The session was fine but felt rushed.",),
}
RATINGS, RATING_WEIGHTS = (5, 4, 3, 2), (55, 30, 10, 5)
MAX_REVIEWS = 6


class Command(BaseCommand):
    help = "Approved demo reviews (with their past sessions) and the ratings they make."

    def add_arguments(self, parser):
        parser.add_argument("--share", type=float, default=0.6)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when there are reviews already."
        )

    def handle(self, *args, share, seed, if_empty, **options):
        if not 0 <= share <= 1:
            raise CommandError("--share must be between 0 and 1")
        if if_empty and Review.objects.exists():
            self.stdout.write("seed_demo_reviews: reviews exist already; nothing to do")
            return
        rng = random.Random(seed)
        unreviewed = PractitionerProfile.objects.filter(reviews__isnull=True)
        profiles = unreviewed.filter(is_published=True).order_by("slug")
        chosen = [pk for pk in profiles.values_list("pk", flat=True) if rng.random() < share]
        services_of = defaultdict(list)
        for service in (
            Service.objects.filter(practitioner__in=chosen, is_active=True)
            .select_related("practitioner", "location")
            .order_by("created_at", "pk")
        ):
            services_of[service.practitioner_id].append(service)
        with transaction.atomic():
            # A rating no review makes (benchmark data written into this database) would
            # show a review count above an empty list.
            PractitionerRating.objects.filter(practitioner__in=unreviewed).delete()
            count = self._seed(rng, chosen, services_of)
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_demo_reviews: {count} reviews of {len(services_of)} practitioners,"
                f" client password {DEMO_CLIENT_PASSWORD!r}"
            )
        )

    def _seed(self, rng, chosen, services_of) -> int:
        now = timezone.now()
        run = secrets.token_hex(3)
        password = make_password(DEMO_CLIENT_PASSWORD)
        clients = [
            {
                "id": uuid.uuid4(),
                "email": f"demo-client-{run}-{n}@example.org",
                "name": name,
                "role": Role.CLIENT,
                "password": password,
                "date_joined": now,
                "email_verified_at": now,
                "is_active": True,
                "is_staff": False,
                "is_superuser": False,
            }
            for n, name in enumerate(CLIENT_NAMES)
        ]
        users_bulk_insert(clients)
        sessions, ratings = [], []
        # Whole hours, a week apart per practitioner: their blocked times never overlap.
        first = now.replace(minute=0, second=0, microsecond=0) - timedelta(days=7)
        for pk in chosen:
            if not services_of[pk]:
                continue
            writers = rng.sample(clients, k=rng.randint(1, MAX_REVIEWS))
            for k, client in enumerate(writers):
                service = rng.choice(services_of[pk])
                sessions.append((client["id"], service, first - timedelta(days=7 * k)))
                ratings.append(rng.choices(RATINGS, weights=RATING_WEIGHTS)[0])
        bookings = completed_bookings_bulk(sessions)
        reviews = [
            Review(
                booking=booking,
                client_id=booking.client_id,
                practitioner_id=booking.practitioner_id,
                rating=rating,
                text=rng.choice(TEXTS[rating]),
                status=ReviewStatus.APPROVED,
                moderated_at=booking.completed_at + timedelta(days=1),
            )
            for booking, rating in zip(bookings, ratings, strict=True)
        ]
        Review.objects.bulk_create(reviews, batch_size=2000)
        totals = defaultdict(lambda: [0, 0])
        for review in reviews:
            totals[review.practitioner_id][0] += review.rating
            totals[review.practitioner_id][1] += 1
        PractitionerRating.objects.bulk_create(
            PractitionerRating(
                practitioner_id=pk,
                rating_sum=total,
                rating_count=count,
                rating_average=rating_average(rating_sum=total, rating_count=count),
            )
            for pk, (total, count) in totals.items()
        )
        return len(reviews)
