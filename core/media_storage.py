"""MEDIA_STORAGE → Django's `STORAGES["default"]`; free of Django so settings can call it.

(empty)              local files under MEDIA_ROOT, served at MEDIA_URL
s3://bucket[/prefix] an S3-compatible bucket through django-storages (boto3), configured by
                     MEDIA_S3_ENDPOINT_URL, MEDIA_S3_REGION, AWS_ACCESS_KEY_ID,
                     AWS_SECRET_ACCESS_KEY, MEDIA_S3_CUSTOM_DOMAIN, MEDIA_S3_SIGNED_URLS,
                     MEDIA_S3_URL_EXPIRE_SECONDS, MEDIA_S3_ADDRESSING_STYLE,
                     MEDIA_S3_TIMEOUT_SECONDS

Stored file names are unique per upload and never rewritten, so objects are cached for a
year by browsers and CDNs.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable"


class MediaStorageError(ValueError):
    pass


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = (env.get(name) or "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise MediaStorageError(f"{name} must be true or false, not {value!r}")


def _number(env: Mapping[str, str], name: str, default: int) -> int:
    try:
        return int(env.get(name) or default)
    except ValueError as exc:
        raise MediaStorageError(f"{name} must be an integer") from exc


def media_storage_settings(url: str, *, env: Mapping[str, str]) -> dict:
    """The `STORAGES["default"]` entry for MEDIA_STORAGE `url` (see the module docstring)."""
    if not url:
        # Reads MEDIA_ROOT and MEDIA_URL itself (and follows them when tests change them).
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise MediaStorageError(
            f"MEDIA_STORAGE must be empty (local files) or s3://bucket[/prefix], not {url!r}"
        )
    from botocore.config import Config  # only with S3 storage

    signed = _flag(env, "MEDIA_S3_SIGNED_URLS", False)
    expire = _number(env, "MEDIA_S3_URL_EXPIRE_SECONDS", 3600)
    timeout = _number(env, "MEDIA_S3_TIMEOUT_SECONDS", 10)
    addressing_style = env.get("MEDIA_S3_ADDRESSING_STYLE") or "auto"
    if addressing_style not in {"auto", "path", "virtual"}:
        raise MediaStorageError("MEDIA_S3_ADDRESSING_STYLE must be auto, path or virtual")
    options = {
        "bucket_name": parts.netloc,
        "location": parts.path.strip("/"),
        "endpoint_url": env.get("MEDIA_S3_ENDPOINT_URL") or None,
        "region_name": env.get("MEDIA_S3_REGION") or env.get("AWS_DEFAULT_REGION") or None,
        "access_key": env.get("AWS_ACCESS_KEY_ID") or None,
        "secret_key": env.get("AWS_SECRET_ACCESS_KEY") or None,
        "custom_domain": env.get("MEDIA_S3_CUSTOM_DOMAIN") or None,
        # Public photos by default: plain URLs that browsers and CDNs cache, which needs a
        # bucket (or CDN) that allows anonymous GET. Signed URLs for a private bucket.
        "querystring_auth": signed,
        "querystring_expire": expire,
        # The bucket's policy decides who may read, not per-object ACLs (S3's default now).
        "default_acl": None,
        # Names are unique per upload: no existence check (a request to S3) before writing.
        "file_overwrite": True,
        "object_parameters": {"CacheControl": IMMUTABLE_CACHE_CONTROL},
        # An upload waits on the bucket: bounded, so an outage answers 503, not a hang.
        "client_config": Config(
            s3={"addressing_style": addressing_style},
            connect_timeout=timeout,
            read_timeout=timeout,
            retries={"mode": "standard", "max_attempts": 2},
        ),
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
