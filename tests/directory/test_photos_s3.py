"""Photos in S3-compatible storage: a moto server on 127.0.0.1, configured the way
MEDIA_STORAGE=s3://... configures production, uploads through the API, objects read back
with boto3 and through the URLs the API returned."""

import json
import urllib.request
import uuid
from urllib.parse import urlsplit

import boto3
import pytest
from moto.server import ThreadedMotoServer

from core.media_storage import IMMUTABLE_CACHE_CONTROL, media_storage_settings
from directory.models import Photo
from tests.directory.images import GPS_LATITUDE, jpeg_with_gps, metadata_of, upload
from tests.factories import client_for, make_practitioner
from tests.ports import closed_port, free_port

pytestmark = pytest.mark.django_db

REGION = "eu-central-1"
# moto takes any key; explicit ones also keep boto3 from looking for credentials elsewhere
# (files, environment, an instance metadata address).
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test-key-id", "AWS_SECRET_ACCESS_KEY": "test-secret"}


@pytest.fixture(scope="module")
def moto_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(autouse=True)
def _no_ambient_aws_configuration(monkeypatch, tmp_path):
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def bucket(moto_endpoint):
    s3 = boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    name = f"stillpoint-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return s3, name


def allow_public_reads(s3, bucket_name: str) -> None:
    """The bucket policy README asks for with public URLs: anyone may GET the photos."""
    s3.put_bucket_policy(
        Bucket=bucket_name,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "s3:GetObject",
                        "Resource": f"arn:aws:s3:::{bucket_name}/media/photos/*",
                    }
                ],
            }
        ),
    )


def use_s3(settings, endpoint: str, bucket_name: str, **env) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": media_storage_settings(
            f"s3://{bucket_name}/media",
            env={
                **CREDENTIALS,
                "MEDIA_S3_ENDPOINT_URL": endpoint,
                "MEDIA_S3_REGION": REGION,
                **env,
            },
        ),
    }


@pytest.fixture
def s3_storage(settings, moto_endpoint, bucket):
    use_s3(settings, moto_endpoint, bucket[1])
    allow_public_reads(*bucket)
    return bucket


def keys(s3, bucket_name) -> list[str]:
    listing = s3.list_objects_v2(Bucket=bucket_name)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def key_of(url: str, bucket_name: str) -> str:
    return urlsplit(url).path.removeprefix(f"/{bucket_name}/")


def fetch(url: str) -> tuple[bytes, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read(), response.headers["Content-Type"]


@pytest.fixture
def practitioner_api():
    user, _, _ = make_practitioner()
    return client_for(user)


def put_photo(api, content: bytes):
    return api.put("/api/v1/me/profile/photo/", {"image": upload(content)}, format="multipart")


def test_a_photo_is_stored_in_the_bucket_without_gps_and_served_by_its_url(
    practitioner_api, s3_storage, moto_endpoint
):
    s3, bucket_name = s3_storage
    uploaded = jpeg_with_gps()
    assert metadata_of(uploaded)["gps"][2] == GPS_LATITUDE

    response = put_photo(practitioner_api, uploaded)

    assert response.status_code == 200, response.data
    photo = response.data
    urls = [photo["url"], *(v["url"] for v in photo["variants"].values())]
    assert all(url.startswith(f"{moto_endpoint}/{bucket_name}/media/photos/") for url in urls)
    assert "X-Amz-Signature" not in photo["url"]  # public URLs by default
    assert keys(s3, bucket_name) == sorted(key_of(url, bucket_name) for url in urls)
    stored = s3.get_object(Bucket=bucket_name, Key=key_of(photo["url"], bucket_name))
    assert stored["ContentType"] == "image/jpeg"
    assert stored["CacheControl"] == IMMUTABLE_CACHE_CONTROL
    original = stored["Body"].read()
    assert metadata_of(original) == {"exif": {}, "gps": {}, "info": []}
    assert b"GPS" not in original
    # Through the URL, as a browser would fetch it.
    assert fetch(photo["url"]) == (original, "image/jpeg")
    small, content_type = fetch(photo["variants"]["small"]["url"])
    assert content_type == "image/webp"
    assert metadata_of(small) == {"exif": {}, "gps": {}, "info": []}


def test_replacing_and_account_deletion_delete_the_objects(
    practitioner_api, s3_storage, django_capture_on_commit_callbacks
):
    s3, bucket_name = s3_storage
    with django_capture_on_commit_callbacks(execute=True):
        first = put_photo(practitioner_api, jpeg_with_gps()).data
        second = put_photo(practitioner_api, jpeg_with_gps(orientation=1)).data

    assert len(keys(s3, bucket_name)) == 4
    assert key_of(first["url"], bucket_name) not in keys(s3, bucket_name)
    assert key_of(second["url"], bucket_name) in keys(s3, bucket_name)

    with django_capture_on_commit_callbacks(execute=True):
        assert practitioner_api.delete("/api/v1/me/").status_code == 204

    assert keys(s3, bucket_name) == []
    assert Photo.objects.count() == 0


def test_signed_urls_for_a_private_bucket(practitioner_api, settings, moto_endpoint, bucket):
    s3, bucket_name = bucket  # no bucket policy: only signed requests may read
    use_s3(
        settings,
        moto_endpoint,
        bucket_name,
        MEDIA_S3_SIGNED_URLS="true",
        MEDIA_S3_URL_EXPIRE_SECONDS="600",
    )

    photo = put_photo(practitioner_api, jpeg_with_gps()).data

    query = urlsplit(photo["url"]).query
    assert "X-Amz-Signature=" in query and "X-Amz-Expires=600" in query
    content, content_type = fetch(photo["url"])
    assert content_type == "image/jpeg"
    assert (
        content
        == s3.get_object(Bucket=bucket_name, Key=key_of(photo["url"], bucket_name))["Body"].read()
    )


def test_an_unreachable_bucket_is_503_and_leaves_no_row(practitioner_api, settings):
    use_s3(
        settings,
        f"http://127.0.0.1:{closed_port()}",
        "nowhere",
        MEDIA_S3_TIMEOUT_SECONDS="2",
    )

    response = put_photo(practitioner_api, jpeg_with_gps())

    assert response.status_code == 503
    assert response.data["code"] == "media_storage_unavailable"
    assert Photo.objects.count() == 0
