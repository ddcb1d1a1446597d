"""Profile and location photos through the API, with real files, in local storage.

What is stored is read back from the storage by the URL the API returned: no EXIF, no
GPS, no XMP, upright, in the sizes promised; refused uploads leave neither rows nor files.
"""

import io
import os
import threading
import time
import uuid
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, transaction

from bookings.models import BookingStatus
from directory.models import Photo, PractitionerProfile
from tests.directory.images import (
    GPS_LATITUDE,
    encoded,
    heic_like,
    jpeg_with_gps,
    metadata_of,
    open_stored,
    pdf_named_jpg,
    png_bomb,
    upload,
)
from tests.factories import client_for, make_booking, make_practitioner, make_user

pytestmark = pytest.mark.django_db

PROFILE_PHOTO = "/api/v1/me/profile/photo/"
NO_METADATA = {"exif": {}, "gps": {}, "info": []}


def location_photos(location) -> str:
    return f"/api/v1/me/locations/{location.pk}/photos/"


def stored_name(url: str) -> str:
    return urlsplit(url).path.removeprefix(settings.MEDIA_URL)


def stored_bytes(url: str) -> bytes:
    with default_storage.open(stored_name(url)) as file:
        return file.read()


def urls_of(photo: dict) -> list[str]:
    return [photo["url"], *(variant["url"] for variant in photo["variants"].values())]


def stored_files(media_root) -> list[str]:
    return sorted(
        str(path.relative_to(media_root)) for path in media_root.rglob("*") if path.is_file()
    )


@pytest.fixture
def practice():
    user, profile, service = make_practitioner(name="Mira Lind")
    return {
        "user": user,
        "profile": profile,
        "location": service.location,
        "service": service,
        "api": client_for(user),
    }


def put_photo(api, content: bytes, **kwargs):
    return api.put(PROFILE_PHOTO, {"image": upload(content, **kwargs)}, format="multipart")


# --- What is stored ----------------------------------------------------------------


def test_the_stored_photo_has_no_exif_or_gps_and_is_upright(practice, media_root):
    uploaded = jpeg_with_gps(size=(1600, 1000), orientation=6)  # a portrait shot, held sideways
    source = metadata_of(uploaded)
    assert source["gps"][2] == GPS_LATITUDE and "xmp" in source["info"]  # the test's premise

    response = put_photo(practice["api"], uploaded)

    assert response.status_code == 200, response.data
    photo = response.data
    # Orientation 6 means "rotate 90°": the stored photo stands upright, 1000 x 1600.
    assert (photo["width"], photo["height"]) == (1000, 1600)
    assert {size: (v["width"], v["height"]) for size, v in photo["variants"].items()} == {
        "small": (100, 160),
        "medium": (300, 480),
        "large": (750, 1200),
    }
    original = stored_bytes(photo["url"])
    assert original != uploaded  # re-encoded, never stored as uploaded
    assert open_stored(original).format == "JPEG"
    assert open_stored(original).size == (1000, 1600)
    for url in urls_of(photo):
        content = stored_bytes(url)
        assert metadata_of(content) == NO_METADATA, url
        assert b"GPS" not in content and b"home address" not in content, url
    for size, variant in photo["variants"].items():
        image = open_stored(stored_bytes(variant["url"]))
        assert (image.format, image.size) == ("WEBP", (variant["width"], variant["height"])), size
    assert photo["url"].startswith("http://testserver/media/photos/")
    assert len(stored_files(media_root)) == 4


@pytest.mark.parametrize(
    ("format_name", "mode", "name", "content_type"),
    [
        ("PNG", "RGBA", "logo.png", "image/png"),
        ("WEBP", "RGB", "room.webp", "image/webp"),
        ("JPEG", "L", "portrait.jpg", "image/jpeg"),
    ],
)
def test_png_webp_and_greyscale_jpeg_are_taken_in_their_format(
    practice, format_name, mode, name, content_type
):
    content = encoded(format_name, size=(640, 480), mode=mode)

    response = put_photo(practice["api"], content, name=name, content_type=content_type)

    assert response.status_code == 200, response.data
    original = open_stored(stored_bytes(response.data["url"]))
    assert original.format == format_name
    assert original.size == (640, 480)
    if mode == "RGBA":  # transparency survives, in the original and in the variants
        assert original.mode == "RGBA"
        assert open_stored(stored_bytes(response.data["variants"]["small"]["url"])).mode == "RGBA"
    # Smaller than the large variant: never enlarged.
    assert response.data["variants"]["large"] | {"url": None} == {
        "url": None,
        "width": 640,
        "height": 480,
    }


def test_the_file_name_and_declared_type_do_not_decide(practice):
    # A PNG sent as "photo.jpg" with image/jpeg stays what its bytes say it is.
    response = put_photo(practice["api"], encoded("PNG"), name="photo.jpg")

    assert response.status_code == 200
    assert response.data["url"].endswith(".png")


# --- Refusals ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (pdf_named_jpg(), "scan.jpg", "image_invalid"),
        (b"", "empty.jpg", "invalid"),
        (jpeg_with_gps()[:2000], "cut.jpg", "image_invalid"),
        (encoded("GIF"), "anim.gif", "image_type_unsupported"),
        (encoded("BMP"), "old.bmp", "image_type_unsupported"),
        (encoded("TIFF"), "scan.tiff", "image_type_unsupported"),
        (heic_like(), "IMG_0001.HEIC", "image_type_unsupported"),
        # Decompression bombs: a few hundred bytes declaring 10 billion pixels (refused by
        # Pillow's own guard) or 64 million (over our 50 million); neither is decoded.
        (png_bomb(100_000, 100_000), "bomb.png", "image_dimensions_too_large"),
        (png_bomb(8_000, 8_000), "big.png", "image_dimensions_too_large"),
    ],
)
def test_what_is_not_an_accepted_image_is_refused(practice, media_root, content, name, code):
    response = put_photo(practice["api"], content, name=name)

    assert response.status_code == 400
    assert response.data["code"] == code
    assert Photo.objects.count() == 0
    assert stored_files(media_root) == []


def test_a_file_over_10_mb_is_image_too_large(practice, media_root):
    content = jpeg_with_gps()
    content += b"\x00" * (10 * 1024 * 1024 + 1 - len(content))

    response = put_photo(practice["api"], content)

    assert response.status_code == 400
    assert response.data["code"] == "image_too_large"
    assert stored_files(media_root) == []


def test_a_body_far_over_the_limit_is_413_json_before_it_is_read(practice):
    response = put_photo(practice["api"], b"\xff\xd8" + b"\x00" * (11 * 1024 * 1024))

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "request_too_large"


def test_the_pixel_limit_follows_the_setting(practice, settings):
    settings.PHOTO_MAX_PIXELS = 640 * 480 - 1

    response = put_photo(practice["api"], encoded("JPEG", size=(640, 480)))

    assert response.status_code == 400
    assert response.data["code"] == "image_dimensions_too_large"


def test_an_upload_needs_the_image_field_as_multipart(practice):
    missing = practice["api"].put(PROFILE_PHOTO, {"photo": "x"}, format="multipart")
    as_json = practice["api"].put(PROFILE_PHOTO, {"image": "x"}, format="json")

    assert (missing.status_code, missing.data["code"]) == (400, "invalid")
    assert "image" in missing.data["fields"]
    assert (as_json.status_code, as_json.data["code"]) == (415, "unsupported_media_type")


def test_only_practitioners_upload(api_client, client_api, practice):
    content = encoded("JPEG")

    assert put_photo(api_client, content).status_code == 401
    assert put_photo(client_api, content).status_code == 403


def test_a_storage_that_cannot_write_is_503_and_leaves_no_row(practice, settings, tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the media directory should be")
    settings.MEDIA_ROOT = blocked

    response = put_photo(practice["api"], encoded("JPEG"))

    assert response.status_code == 503
    assert response.data["code"] == "media_storage_unavailable"
    assert response["Retry-After"]
    assert Photo.objects.count() == 0


# --- Profile photo: shown, replaced, removed ---------------------------------------


def test_the_profile_photo_is_in_the_public_and_own_profile(api_client, practice):
    profile_url = f"/api/v1/practitioners/{practice['profile'].slug}/"
    assert api_client.get(profile_url).data["photo"] is None
    assert practice["api"].get("/api/v1/me/profile/").data["photo"] is None

    photo = put_photo(practice["api"], encoded("JPEG")).data

    assert api_client.get(profile_url).data["photo"] == photo
    assert practice["api"].get("/api/v1/me/profile/").data["photo"] == photo


def test_replacing_deletes_the_previous_files_after_commit(
    practice, media_root, django_capture_on_commit_callbacks
):
    first = put_photo(practice["api"], encoded("JPEG")).data

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        second = put_photo(practice["api"], encoded("PNG")).data
    # Until the replacing transaction has committed, the old files stay.
    assert all(default_storage.exists(stored_name(url)) for url in urls_of(first))
    for callback in callbacks:
        callback()

    assert not any(default_storage.exists(stored_name(url)) for url in urls_of(first))
    assert all(default_storage.exists(stored_name(url)) for url in urls_of(second))
    assert list(Photo.objects.values_list("pk", flat=True)) == [
        Photo.objects.get(pk=second["id"]).pk
    ]
    assert len(stored_files(media_root)) == 4


def test_deleting_the_profile_photo(practice, media_root, django_capture_on_commit_callbacks):
    put_photo(practice["api"], encoded("JPEG"))

    with django_capture_on_commit_callbacks(execute=True):
        response = practice["api"].delete(PROFILE_PHOTO)
    again = practice["api"].delete(PROFILE_PHOTO)

    assert response.status_code == 204
    assert stored_files(media_root) == []
    assert practice["api"].get("/api/v1/me/profile/").data["photo"] is None
    assert (again.status_code, again.data["code"]) == (404, "photo_not_found")


# --- Location photos ---------------------------------------------------------------


def post_location_photo(api, location, content: bytes):
    return api.post(location_photos(location), {"image": upload(content)}, format="multipart")


def test_location_photos_are_listed_oldest_first_in_the_location(api_client, practice):
    location = practice["location"]
    first = post_location_photo(practice["api"], location, encoded("JPEG"))
    second = post_location_photo(practice["api"], location, encoded("WEBP"))

    assert (first.status_code, second.status_code) == (201, 201)
    expected = [first.data, second.data]
    assert practice["api"].get(location_photos(location)).data == expected
    assert practice["api"].get(f"/api/v1/me/locations/{location.pk}/").data["photos"] == expected
    public = api_client.get(f"/api/v1/practitioners/{practice['profile'].pk}/").data
    assert public["locations"][0]["photos"] == expected
    assert public["photo"] is None  # location photos are not the profile photo


def test_deleting_a_location_photo(practice, media_root, django_capture_on_commit_callbacks):
    location = practice["location"]
    kept = post_location_photo(practice["api"], location, encoded("JPEG")).data
    gone = post_location_photo(practice["api"], location, encoded("JPEG")).data

    with django_capture_on_commit_callbacks(execute=True):
        response = practice["api"].delete(f"{location_photos(location)}{gone['id']}/")
    again = practice["api"].delete(f"{location_photos(location)}{gone['id']}/")

    assert response.status_code == 204
    assert (again.status_code, again.data["code"]) == (404, "photo_not_found")
    assert practice["api"].get(location_photos(location)).data == [kept]
    assert stored_files(media_root) == sorted(stored_name(url) for url in urls_of(kept))


def test_a_location_takes_up_to_the_limit(practice, settings):
    settings.PHOTO_MAX_PER_LOCATION = 2
    location = practice["location"]
    for _ in range(2):
        assert post_location_photo(practice["api"], location, encoded("JPEG")).status_code == 201

    response = post_location_photo(practice["api"], location, encoded("JPEG"))

    assert response.status_code == 409
    assert response.data["code"] == "photo_limit_reached"
    assert Photo.objects.filter(location=location).count() == 2


def test_other_practitioners_locations_and_photos_are_not_found(practice):
    other_user, _, other_service = make_practitioner(name="Other Person")
    theirs = post_location_photo(client_for(other_user), other_service.location, encoded("JPEG"))
    assert theirs.status_code == 201

    upload_there = post_location_photo(practice["api"], other_service.location, encoded("JPEG"))
    delete_there = practice["api"].delete(
        f"{location_photos(other_service.location)}{theirs.data['id']}/"
    )
    # Their photo id under my own location is no photo of mine either.
    delete_here = practice["api"].delete(
        f"{location_photos(practice['location'])}{theirs.data['id']}/"
    )

    assert upload_there.status_code == 404
    assert delete_there.status_code == 404
    assert (delete_here.status_code, delete_here.data["code"]) == (404, "photo_not_found")
    assert Photo.objects.filter(pk=theirs.data["id"]).exists()


def test_deleting_a_location_deletes_its_photos(
    practice, media_root, django_capture_on_commit_callbacks
):
    location = practice["location"]
    post_location_photo(practice["api"], location, encoded("JPEG"))
    profile_photo = put_photo(practice["api"], encoded("JPEG")).data

    with django_capture_on_commit_callbacks(execute=True):
        response = practice["api"].delete(f"/api/v1/me/locations/{location.pk}/")

    assert response.status_code == 204
    assert not Photo.objects.filter(location=location).exists()
    assert stored_files(media_root) == sorted(stored_name(url) for url in urls_of(profile_photo))
    assert post_location_photo(practice["api"], location, encoded("JPEG")).status_code == 404


# --- Account deletion --------------------------------------------------------------


def test_deleting_the_account_deletes_every_photo(
    practice, media_root, django_capture_on_commit_callbacks
):
    put_photo(practice["api"], encoded("JPEG"))
    post_location_photo(practice["api"], practice["location"], encoded("JPEG"))
    assert len(stored_files(media_root)) == 8

    with django_capture_on_commit_callbacks(execute=True):
        response = practice["api"].delete("/api/v1/me/")

    assert response.status_code == 204
    assert Photo.objects.count() == 0
    assert stored_files(media_root) == []


def test_a_refused_account_deletion_keeps_the_photos(practice, media_root):
    photo = put_photo(practice["api"], encoded("JPEG")).data
    make_booking(client=make_user(), service=practice["service"], status=BookingStatus.CONFIRMED)

    response = practice["api"].delete("/api/v1/me/")

    assert (response.status_code, response.data["code"]) == (409, "open_bookings")
    assert practice["api"].get("/api/v1/me/profile/").data["photo"] == photo
    assert len(stored_files(media_root)) == 4


# --- Files without a row ----------------------------------------------------------


def test_the_sweep_deletes_old_files_that_no_row_names(practice, media_root):
    kept = put_photo(practice["api"], encoded("JPEG")).data
    # What a crash between writing the files and committing the row leaves behind.
    crashed = f"photos/{practice['profile'].pk}/{uuid.uuid4()}"
    just_written = f"photos/{practice['profile'].pk}/{uuid.uuid4()}"
    for prefix in (crashed, just_written):
        for name in ("original.jpg", "small.webp"):
            default_storage.save(f"{prefix}/{name}", ContentFile(b"bytes"))
    two_days_ago = time.time() - 2 * 24 * 3600
    for path in (media_root / crashed).iterdir():
        os.utime(path, (two_days_ago, two_days_ago))
    output = io.StringIO()

    call_command("prune_photo_files", "--older-than-hours", "24", stdout=output)

    assert "2 files deleted" in output.getvalue()
    assert stored_files(media_root) == sorted(
        [
            *(stored_name(url) for url in urls_of(kept)),
            *(f"{just_written}/{n}" for n in ("original.jpg", "small.webp")),
        ]
    )


def test_the_sweep_with_no_photos_at_all(db, media_root):
    output = io.StringIO()
    call_command("prune_photo_files", stdout=output)
    assert "0 files deleted" in output.getvalue()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_upload_refused_in_its_transaction_leaves_no_files(settings, media_root):
    """Two uploads race for the last place of a location: both pass the early check and
    store their files while the profile is locked; the one refused under the lock
    deletes its files again."""
    settings.PHOTO_MAX_PER_LOCATION = 1
    user, profile, service = make_practitioner()
    responses = []

    def upload_one():
        try:
            responses.append(
                post_location_photo(client_for(user), service.location, encoded("JPEG"))
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=upload_one) for _ in range(2)]
    with transaction.atomic():
        PractitionerProfile.objects.select_for_update().get(pk=profile.pk)
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 30
        with connection.cursor() as cursor:
            while time.monotonic() < deadline:
                # Inside a transaction the activity view is a snapshot unless cleared.
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
                if cursor.fetchone()[0] == 2:
                    break
                time.sleep(0.05)
            else:
                pytest.fail("the uploads never waited for the profile lock")
        assert len(stored_files(media_root)) == 8  # both stored, neither committed
    for thread in threads:
        thread.join()

    assert sorted(response.status_code for response in responses) == [201, 409]
    created = next(response.data for response in responses if response.status_code == 201)
    assert stored_files(media_root) == sorted(stored_name(url) for url in urls_of(created))
    assert list(Photo.objects.values_list("pk", flat=True)) == [uuid.UUID(created["id"])]
