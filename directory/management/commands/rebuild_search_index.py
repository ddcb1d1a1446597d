"""Rebuild the text index (documents and vocabulary) from every practitioner's profile.

Edits re-index their practitioner themselves (directory.services). Run this after a change
of the analysis (directory.text: stemmers, stop words), after changing modality names or
profiles by hand, or to recount the vocabulary.
"""

from directory.management.batched_rebuild import BatchedRebuildCommand
from directory.models import PractitionerProfile
from directory.search_index import rebuild_search_index


class Command(BatchedRebuildCommand):
    help = "Rebuild the search's text index (batched, one transaction per batch)."

    def rebuild(self, *, batch_size, on_batch):
        return rebuild_search_index(
            profile_model=PractitionerProfile, batch_size=batch_size, on_batch=on_batch
        )
