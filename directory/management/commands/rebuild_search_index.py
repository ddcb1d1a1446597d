"""Rebuild the text index (documents and vocabulary) from every practitioner's profile.

Edits re-index their practitioner themselves (directory.services). Run this after a change
of the analysis (directory.text: stemmers, stop words), after changing modality names or
profiles by hand, or to recount the vocabulary.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from directory.models import PractitionerProfile
from directory.search_index import rebuild_search_index


class Command(BaseCommand):
    help = "Rebuild the search's text index (batched, one transaction per batch)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be >= 1")
        started = time.monotonic()

        def progress(done):
            elapsed = time.monotonic() - started
            self.stdout.write(f"rebuild_search_index: {done} profiles ({elapsed:.1f} s)")

        total = rebuild_search_index(
            profile_model=PractitionerProfile, batch_size=batch_size, on_batch=progress
        )
        self.stdout.write(self.style.SUCCESS(f"rebuild_search_index: done, {total} profiles"))
