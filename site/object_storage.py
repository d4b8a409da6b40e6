"""Uploaded media in S3-compatible object storage, configured from the
environment, so that every app server reads and writes the same files."""

from collections.abc import Mapping
from urllib.parse import urlsplit

# Upload names are random, so a name always means the same bytes.
MEDIA_CACHE_CONTROL = "public, max-age=31536000, immutable"

ENVIRONMENT = {
    "endpoint_url": "DJANGO_S3_ENDPOINT_URL",
    "region_name": "DJANGO_S3_REGION",
    "access_key": "DJANGO_S3_ACCESS_KEY_ID",
    "secret_key": "DJANGO_S3_SECRET_ACCESS_KEY",
    "custom_domain": "DJANGO_S3_CUSTOM_DOMAIN",
}


def s3_storage(environ: Mapping[str, str]) -> tuple[dict | None, list[str]]:
    """The `STORAGES["default"]` entry for django-storages' S3 backend when
    DJANGO_S3_BUCKET is set (else None), and the origins pages load uploaded
    images from, for the Content-Security-Policy."""
    bucket = environ.get("DJANGO_S3_BUCKET", "")
    if not bucket:
        return None, []
    options = {
        key: environ[name] for key, name in ENVIRONMENT.items() if environ.get(name)
    }
    if "endpoint_url" in options:
        # Other S3 APIs (MinIO, Ceph, moto…) serve bucket/key under the
        # endpoint, which keeps the media origin the endpoint's.
        options["addressing_style"] = "path"
    storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            **options,
            # Public media: plain URLs that browsers and CDNs can cache, not
            # signed ones that expire; the bucket policy allows reading.
            "querystring_auth": False,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": MEDIA_CACHE_CONTROL},
        },
    }
    if "custom_domain" in options:
        origins = [f"https://{options['custom_domain']}"]
    elif "endpoint_url" in options:
        parts = urlsplit(options["endpoint_url"])
        origins = [f"{parts.scheme}://{parts.netloc}"]
    else:
        origins = [f"https://{bucket}.s3.amazonaws.com"]
        if "region_name" in options:
            origins.append(
                f"https://{bucket}.s3.{options['region_name']}.amazonaws.com"
            )
    return storage, origins
