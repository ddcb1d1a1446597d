"""Rebuild every practitioner's search card from its modalities, locations and services.

Edits rebuild their practitioner's card themselves (directory.services). Run this after
a rolling deploy that introduced the cards, whose old servers edited without them, or
after changing modality names by hand.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from directory.models import Location, PractitionerProfile, Service
from directory.search_cards import rebuild_search_cards


class Command(BaseCommand):
    help = "Rebuild every practitioner's search card (batched, one transaction per batch)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be >= 1")
        started = time.monotonic()

        def progress(done):
            elapsed = time.monotonic() - started
            self.stdout.write(f"rebuild_search_cards: {done} profiles ({elapsed:.1f} s)")

        total = rebuild_search_cards(
            profile_model=PractitionerProfile,
            location_model=Location,
            service_model=Service,
            batch_size=batch_size,
            on_batch=progress,
        )
        self.stdout.write(self.style.SUCCESS(f"rebuild_search_cards: done, {total} profiles"))
