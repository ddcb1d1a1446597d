"""The text index: one document per published practitioner and the vocabulary of its words.

Like the search cards, the index is derived data that `directory.services` keeps in the
transaction of every edit of what it holds (name, headline, bio, languages, modalities,
publication), after locking the profile. Only published practitioners are indexed, so
neither a search nor a correction nor a suggestion ever shows an unpublished profile's
words. The vocabulary counts, per lexeme, the documents that hold it: a correction
offers only words that find something.

`rebuild_search_index` rebuilds it all (migration 0013, `manage.py rebuild_search_index`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping

from django.db import transaction

from directory.sql import text as text_sql
from directory.sql import vocabulary
from directory.text import Document, analyse


def profile_document(profile, modality_names) -> Document:
    return analyse(
        name=profile.display_name,
        modalities=modality_names,
        headline=profile.headline,
        bio=profile.bio,
        languages=profile.languages or (),
    )


def apply_documents(documents: Mapping, *, using: str = "default", fresh: bool = False) -> None:
    """Make the index hold {practitioner id: Document, or None for no document}, with the
    vocabulary counts changed by the difference. `fresh`: none of them is indexed yet."""
    before = {} if fresh else text_sql.documents_lexemes(list(documents), using=using)
    changes: dict[str, list] = defaultdict(lambda: ["", 0])
    inserts, updates, deletes = {}, {}, []
    for pk, document in documents.items():
        old = before.get(pk)
        new = set() if document is None else document.lexemes()
        if document is None:
            if old is not None:
                deletes.append(pk)
        elif old is None:
            inserts[pk] = document
        else:
            updates[pk] = document
        for item in new - (old or set()):
            change = changes[item]
            change[0], change[1] = document.words[item], change[1] + 1
        for item in (old or set()) - new:
            changes[item][1] -= 1
    text_sql.documents_delete(deletes, using=using)
    text_sql.documents_update(updates, using=using)
    text_sql.documents_insert(inserts, using=using)
    vocabulary.terms_change({k: (w, d) for k, (w, d) in changes.items()}, using=using)


def search_document_refresh(*, profile) -> None:
    """Re-index one practitioner (or drop it from the index once unpublished).

    Called by the writes of directory.services inside their transaction, with the profile
    locked: concurrent edits of one practitioner re-index one after the other.
    """
    document = None
    if profile.is_published:
        document = profile_document(profile, profile.modalities.values_list("name", flat=True))
    apply_documents({profile.pk: document})


def rebuild_search_index(
    *,
    profile_model,
    using: str = "default",
    batch_size: int = 2000,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Re-index every profile from its fields, `batch_size` per transaction, then recount
    the vocabulary from the index.

    Takes the model so that a migration can pass its historical one. Each batch locks its
    profiles first, as `search_document_refresh` does, so a concurrent edit is never
    overwritten by an older document. Returns the number of profiles looked at.
    """
    link_model = profile_model.modalities.through
    done, last = 0, None
    fields = ("pk", "display_name", "headline", "bio", "languages", "is_published")
    while True:
        with transaction.atomic(using=using):
            profiles = profile_model.objects.using(using).select_for_update().order_by("pk")
            if last is not None:
                profiles = profiles.filter(pk__gt=last)
            rows = list(profiles.values(*fields)[:batch_size])
            if not rows:
                break
            names = defaultdict(list)
            links = link_model.objects.using(using).filter(
                practitionerprofile_id__in=[row["pk"] for row in rows]
            )
            for pk, name in links.values_list("practitionerprofile_id", "modality__name"):
                names[pk].append(name)
            documents = {}
            for row in rows:
                documents[row["pk"]] = None
                if row["is_published"]:
                    documents[row["pk"]] = analyse(
                        name=row["display_name"],
                        modalities=sorted(names[row["pk"]]),
                        headline=row["headline"],
                        bio=row["bio"],
                        languages=row["languages"] or (),
                    )
            apply_documents(documents, using=using)
        done, last = done + len(rows), rows[-1]["pk"]
        if on_batch is not None:
            on_batch(done)
    with transaction.atomic(using=using):
        vocabulary.terms_recount(using=using)
    return done
