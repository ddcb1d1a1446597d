"""Rebuild every practitioner's search card from its modalities, locations and services.

Edits rebuild their practitioner's card themselves (directory.services). Run this after
a rolling deploy that introduced the cards, whose old servers edited without them, or
after changing modality names by hand.
"""

from directory.management.batched_rebuild import BatchedRebuildCommand
from directory.models import Location, PractitionerProfile, Service
from directory.search_cards import rebuild_search_cards


class Command(BatchedRebuildCommand):
    help = "Rebuild every practitioner's search card (batched, one transaction per batch)."

    def rebuild(self, *, batch_size, on_batch):
        return rebuild_search_cards(
            profile_model=PractitionerProfile,
            location_model=Location,
            service_model=Service,
            batch_size=batch_size,
            on_batch=on_batch,
        )
