"""MEDIA_STORAGE at start-up: local files by default, S3 from s3://..., nonsense refused."""

from tests.config.test_security import run_manage

SHOW_STORAGE = (
    "from django.core.files.storage import storages;s = storages['default'];"
    "print(type(s).__name__, s.url('photos/p/x/small.webp'))"
)


def test_local_files_under_data_dir_by_default(tmp_path):
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        SHOW_STORAGE + ";print(s.location)",
        env_overrides={"DATA_DIR": str(tmp_path), "MEDIA_STORAGE": ""},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "FileSystemStorage",
        "/media/photos/p/x/small.webp",
        str(tmp_path / "media"),
    ]


def test_an_s3_url_configures_the_bucket(tmp_path):
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        SHOW_STORAGE,
        env_overrides={
            "DATA_DIR": str(tmp_path),
            "MEDIA_STORAGE": "s3://stillpoint-media/prod",
            "MEDIA_S3_ENDPOINT_URL": "http://127.0.0.1:9",
            "MEDIA_S3_REGION": "eu-central-1",
            "AWS_ACCESS_KEY_ID": "id",
            "AWS_SECRET_ACCESS_KEY": "secret",
            "AWS_EC2_METADATA_DISABLED": "true",
        },
    )

    assert result.returncode == 0, result.stderr
    # A public URL (no signature) on the endpoint, under the bucket's prefix.
    assert result.stdout.split() == [
        "S3Storage",
        "http://127.0.0.1:9/stillpoint-media/prod/photos/p/x/small.webp",
    ]


def test_other_storage_urls_fail_at_start_up(tmp_path):
    for value in ("ftp://host/media", "s3://", "/var/media"):
        result = run_manage(
            "check", env_overrides={"DATA_DIR": str(tmp_path), "MEDIA_STORAGE": value}
        )
        assert result.returncode != 0, value
        assert "MEDIA_STORAGE must be empty" in result.stderr, value
