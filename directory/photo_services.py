"""Writes of photos: profile and location photos, their files in the default storage.

Order of writes, and what a failure leaves behind:

1. The upload is checked and re-encoded (directory.photos) outside any transaction.
2. Its files are written to the storage under a fresh name
   (`photos/<practitioner id>/<photo id>/<variant>.<ext>`), still outside it.
3. The row is inserted in one durable transaction (which also removes the row it
   replaces). If that transaction fails, the files of step 2 are deleted at once.
4. Files of removed rows are deleted after the commit (`transaction.on_commit`).

So a row never points at missing files. What a crash can leave is the reverse: files
without a row (a process killed between 2 and 3, or a storage refusing a deletion in
4). Those are unreachable (nothing links to them) and `manage.py prune_photo_files`
deletes them once they are older than a grace period.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import BinaryIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from core.errors import NotFound
from directory.errors import MediaStorageUnavailable, PhotoLimitReached, PhotoNotFound
from directory.models import Location, Photo, PractitionerProfile
from directory.photos import EncodedImage, ProcessedPhoto, process_photo

logger = logging.getLogger("stillpoint.photos")

PHOTOS_ROOT = "photos"


@dataclass(frozen=True)
class _StoredFiles:
    photo_id: uuid.UUID
    original: str
    width: int
    height: int
    variants: dict[str, dict]

    @property
    def names(self) -> list[str]:
        return [self.original, *(v["name"] for v in self.variants.values())]

    def row(self) -> dict:
        return {
            "id": self.photo_id,
            "original": self.original,
            "width": self.width,
            "height": self.height,
            "variants": self.variants,
        }


def _process(image: BinaryIO) -> ProcessedPhoto:
    return process_photo(
        image,
        size=image.size,
        max_bytes=settings.PHOTO_MAX_BYTES,
        max_pixels=settings.PHOTO_MAX_PIXELS,
    )


def _save(name: str, encoded: EncodedImage) -> str:
    content = ContentFile(encoded.content)
    content.content_type = encoded.content_type  # S3 serves it with this Content-Type
    return default_storage.save(name, content)


def _store(profile: PractitionerProfile, processed: ProcessedPhoto) -> _StoredFiles:
    """Write the files of a new photo; on any failure, delete what was written."""
    photo_id = uuid.uuid4()
    prefix = f"{PHOTOS_ROOT}/{profile.pk}/{photo_id}"
    written: list[str] = []
    try:
        original = processed.original
        written.append(_save(f"{prefix}/original.{original.extension}", original))
        variants = {}
        for size, encoded in processed.variants.items():
            name = _save(f"{prefix}/{size}.{encoded.extension}", encoded)
            written.append(name)
            variants[size] = {"name": name, "width": encoded.width, "height": encoded.height}
    except Exception as exc:  # any storage backend's failure (OSError, botocore errors)
        logger.warning("photo storage write failed: %r", exc)
        delete_stored_files(written)
        raise MediaStorageUnavailable() from exc
    return _StoredFiles(photo_id, written[0], original.width, original.height, variants)


def delete_stored_files(names: Iterable[str]) -> None:
    """Delete files from the storage; a failure is logged and leaves an orphan file."""
    for name in names:
        try:
            default_storage.delete(name)
        except Exception as exc:  # the sweep (prune_photo_files) gets it later
            logger.warning("photo file not deleted: %s: %r", name, exc)


def _delete_after_commit(photos: Iterable[Photo]) -> None:
    names = [name for photo in photos for name in photo.storage_names]
    if names:
        transaction.on_commit(partial(delete_stored_files, names))


def _lock_profile(profile: PractitionerProfile) -> PractitionerProfile:
    # The same lock as directory.services' edits: one practitioner's writes in turn.
    return PractitionerProfile.objects.select_for_update().get(pk=profile.pk)


def _insert(stored: _StoredFiles, write) -> Photo:
    """Run `write(stored)` in a durable transaction; a failure deletes the new files."""
    try:
        with transaction.atomic(durable=True):
            return write(stored)
    except BaseException:
        delete_stored_files(stored.names)
        raise


# --- Profile photo ---------------------------------------------------------------


def profile_photo_replace(*, profile: PractitionerProfile, image: BinaryIO) -> Photo:
    """Set the profile photo; the previous one's row goes now, its files after the commit."""
    stored = _store(profile, _process(image))

    def write(stored: _StoredFiles) -> Photo:
        locked = _lock_profile(profile)
        previous = list(Photo.objects.filter(practitioner=locked, location__isnull=True))
        Photo.objects.filter(pk__in=[p.pk for p in previous]).delete()
        _delete_after_commit(previous)
        return Photo.objects.create(practitioner=locked, location=None, **stored.row())

    return _insert(stored, write)


def profile_photo_delete(*, profile: PractitionerProfile) -> None:
    with transaction.atomic(durable=True):
        locked = _lock_profile(profile)
        photos = list(Photo.objects.filter(practitioner=locked, location__isnull=True))
        if not photos:
            raise PhotoNotFound("You have no profile photo.")
        _photos_delete(photos)


# --- Location photos -------------------------------------------------------------


def _check_room(location: Location) -> None:
    if Photo.objects.filter(location=location).count() >= settings.PHOTO_MAX_PER_LOCATION:
        raise PhotoLimitReached(
            f"A location has at most {settings.PHOTO_MAX_PER_LOCATION} photos; delete one first."
        )


def location_photo_add(*, location: Location, image: BinaryIO) -> Photo:
    """Add a photo to one of the practitioner's active locations (up to the limit)."""
    _check_room(location)  # before the work of decoding and storing
    stored = _store(location.practitioner, _process(image))

    def write(stored: _StoredFiles) -> Photo:
        locked = _lock_profile(location.practitioner)
        current = Location.objects.filter(pk=location.pk, is_active=True).first()
        if current is None:
            raise NotFound("No such location.")
        _check_room(current)  # again under the lock: concurrent uploads count each other
        return Photo.objects.create(practitioner=locked, location=current, **stored.row())

    return _insert(stored, write)


def location_photo_delete(*, location: Location, photo_id: uuid.UUID) -> None:
    with transaction.atomic(durable=True):
        _lock_profile(location.practitioner)
        photos = list(Photo.objects.filter(location=location, pk=photo_id))
        if not photos:
            raise PhotoNotFound()
        _photos_delete(photos)


# --- Removal with what they belong to ---------------------------------------------


def _photos_delete(photos: list[Photo]) -> None:
    Photo.objects.filter(pk__in=[p.pk for p in photos]).delete()
    _delete_after_commit(photos)


def photos_delete_of_location(*, location: Location) -> None:
    """A deactivated location is shown nowhere: its photos go (inside the caller's
    transaction; the files after its commit)."""
    _photos_delete(list(Photo.objects.filter(location=location)))


def photos_delete_of_practitioner(*, user) -> None:
    """A deleted account's photos, profile and locations (inside the caller's transaction)."""
    _photos_delete(list(Photo.objects.filter(practitioner__user=user)))


# --- The sweep of files without a row ------------------------------------------------


def orphan_photo_files_delete(*, older_than: dt.timedelta) -> list[str]:
    """Delete stored photo files that no row names and that are older than `older_than`.

    The grace period spares an upload whose files are written and whose row is not yet
    committed. Returns the names deleted. Reads the whole `photos/` tree: run it daily,
    not per request.
    """
    cutoff = timezone.now() - older_than
    deleted = []
    try:
        practitioner_dirs, _ = default_storage.listdir(PHOTOS_ROOT)
    except FileNotFoundError:  # local storage before the first upload (S3 lists nothing)
        return deleted
    for practitioner_dir in practitioner_dirs:
        photo_dirs, _ = default_storage.listdir(f"{PHOTOS_ROOT}/{practitioner_dir}")
        rows = Photo.objects.filter(pk__in=_uuids(photo_dirs)).values_list("pk", flat=True)
        known = {str(pk) for pk in rows}
        for photo_dir in photo_dirs:
            if photo_dir in known:
                continue
            prefix = f"{PHOTOS_ROOT}/{practitioner_dir}/{photo_dir}"
            _, files = default_storage.listdir(prefix)
            names = [f"{prefix}/{file}" for file in files]
            if names and all(default_storage.get_modified_time(n) < cutoff for n in names):
                delete_stored_files(names)
                deleted.extend(names)
    return deleted


def _uuids(names: Iterable[str]) -> list[uuid.UUID]:
    found = []
    for name in names:
        try:
            found.append(uuid.UUID(name))
        except ValueError:
            continue
    return found
