"""Uploads in S3-compatible object storage (django-storages), against a real
local S3 API: moto's server mode, in a process of its own on a free port."""

import datetime
import io
import json
import os
import subprocess
import sys
import time
import uuid

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles.uploads import prune_uploads
from siteconf.object_storage import MEDIA_CACHE_CONTROL, s3_storage
from tests.stack.conftest import ROOT, Server, fetch, free_port
from tests.tasks import run_tasks

CREDENTIALS = {
    "DJANGO_S3_REGION": "us-east-1",
    "DJANGO_S3_ACCESS_KEY_ID": "testing",
    "DJANGO_S3_SECRET_ACCESS_KEY": "testing",
}


@pytest.fixture(scope="module")
def moto_server(tmp_path_factory):
    """moto's S3 API on 127.0.0.1; its URL."""
    port = free_port()
    server = Server(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "x"},
        tmp_path_factory.mktemp("moto") / "moto.log",
    )
    url = f"http://127.0.0.1:{port}"
    try:
        server.wait_for(f"{url}/moto-api/", timeout=30)
        yield url
    finally:
        server.stop()


def public_read(bucket: str) -> dict:
    """The bucket policy docs/operations.md gives: anyone may read, nobody list."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PublicReadMedia",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }


@pytest.fixture
def bucket(moto_server, settings):
    """A new bucket, made the default storage the way the settings do it."""
    name = f"media-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=moto_server,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=name)
    client.put_bucket_policy(Bucket=name, Policy=json.dumps(public_read(name)))
    storage, _origins = s3_storage(
        {"DJANGO_S3_BUCKET": name, "DJANGO_S3_ENDPOINT_URL": moto_server, **CREDENTIALS}
    )
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    settings.MEDIA_ROOT = "/nonexistent-media-root"  # nothing may land here
    return client, name


def png(size=(64, 48), color=(200, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_social_image_is_stored_in_the_bucket_and_served_from_it(bucket, article):
    """Saved through the model (re-encoded, random name), read back over HTTP
    from the S3 API with a year of caching."""
    client, name = bucket
    article.social_image = SimpleUploadedFile("my photo.png", png(), "image/png")
    article.save()
    stored = article.social_image.name
    assert stored.startswith("social/") and stored.endswith(".png")
    assert "my photo" not in stored
    assert client.head_object(Bucket=name, Key=stored)["ContentLength"] > 0

    url = article.social_image.url
    assert url.startswith(f"{client.meta.endpoint_url}/{name}/social/")
    assert "Signature" not in url  # public media, no expiring query string
    status, headers, body = fetch(url)
    assert status == 200
    assert headers["Content-Type"] == "image/png"
    assert headers["Cache-Control"] == MEDIA_CACHE_CONTROL
    assert Image.open(io.BytesIO(body)).size == (64, 48)


def test_the_editors_upload_goes_to_the_bucket(bucket, client, writer):
    """/admin/markdownx/upload/ stores the re-encoded image in the bucket and
    returns Markdown pointing at it."""
    s3, name = bucket
    client.force_login(writer)
    response = client.post(
        "/admin/markdownx/upload/",
        {"image": SimpleUploadedFile("x.png", png((30, 20)), "image/png")},
    )
    assert response.status_code == 200
    code = response.json()["image_code"].strip()
    url = code.removeprefix("![](").removesuffix(")")
    key = url.split(f"/{name}/", 1)[1]
    assert key.startswith("uploads/")
    assert s3.head_object(Bucket=name, Key=key)
    status, headers, body = fetch(url)
    assert status == 200
    assert Image.open(io.BytesIO(body)).size == (30, 20)


def test_unused_uploads_are_pruned_from_the_bucket(bucket, client, writer, article):
    """`prune_uploads` lists, dates and deletes through the same storage: in
    a bucket, the unused image and its copies go and the used one stays."""
    s3, name = bucket
    client.force_login(writer)
    urls = []
    for color in ((10, 20, 30), (200, 100, 0)):
        image = SimpleUploadedFile("x.png", png((1000, 500), color), "image/png")
        response = client.post("/admin/markdownx/upload/", {"image": image})
        urls.append(response.json()["image_code"].strip()[4:-1])
    run_tasks(commit_first=True)
    used, unused = urls
    article.body += f"\n\n![A chart]({used})\n"
    article.save()

    def keys() -> set[str]:
        listed = s3.list_objects_v2(Bucket=name, Prefix="uploads/")
        return {item["Key"] for item in listed.get("Contents", [])}

    assert len(keys()) == 6  # two originals, each with a 480w and an 800w copy
    result = prune_uploads(datetime.timedelta(0))
    assert (result.images, result.files, result.in_use) == (1, 3, 1)
    left = keys()
    assert len(left) == 3
    assert all(key.startswith(used.split(f"/{name}/", 1)[1][:40]) for key in left)
    assert not any(unused.endswith(key) for key in left)


def test_the_status_reads_the_bucket_and_writes_nothing(bucket, client, db):
    """The monitoring status lists the bucket (/healthz does not touch it),
    and leaves no object behind."""
    s3, name = bucket
    response = client.get("/healthz/status")
    assert response.status_code == 200
    assert json.loads(response.content)["checks"]["storage"]["level"] == "ok"
    assert s3.list_objects_v2(Bucket=name).get("KeyCount") == 0


def test_a_bucket_that_is_gone_is_critical_and_the_server_stays_ready(
    bucket, client, db
):
    """A bucket that no longer exists: the status says critical, naming the
    storage; /healthz answers 200, since pages are still served."""
    s3, name = bucket
    s3.delete_bucket(Bucket=name)
    body = json.loads(client.get("/healthz/status").content)
    assert "storage" in body["problems"]
    assert body["checks"]["storage"]["level"] == "critical"
    assert client.get("/healthz").status_code == 200


def settings_in_a_new_process(**environ) -> dict:
    """Some settings as a process started with `environ` reads them."""
    script = (
        "import json, django; django.setup(); from django.conf import settings;"
        "from django.urls import resolve, Resolver404\n"
        "try: media = resolve('/media/a.png').url_name\n"
        "except Resolver404: media = None\n"
        "print(json.dumps({'default': settings.STORAGES['default'],"
        " 'serve_media': settings.HEALTH_SERVE_MEDIA,"
        " 'img_src': settings.SECURE_CSP['img-src'], 'media_view': media}))"
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_S3_", "HEALTH_SERVE_MEDIA"))
    }
    env.update(DJANGO_SETTINGS_MODULE="siteconf.settings", DJANGO_SECRET_KEY="x")
    env.update(environ)
    output = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.splitlines()[-1])


def test_the_environment_switches_uploads_to_the_bucket():
    """DJANGO_S3_BUCKET selects django-storages' S3 backend with public,
    unsigned URLs; Django stops serving /media/ even if asked to; the CSP lets
    pages show images from the bucket's origin."""
    started = time.monotonic()
    found = settings_in_a_new_process(
        DJANGO_S3_BUCKET="health-media",
        DJANGO_S3_ENDPOINT_URL="https://objects.example.org",
        HEALTH_SERVE_MEDIA="1",
        **CREDENTIALS,
    )
    assert found["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    options = found["default"]["OPTIONS"]
    assert options["bucket_name"] == "health-media"
    assert options["endpoint_url"] == "https://objects.example.org"
    assert options["querystring_auth"] is False
    assert found["serve_media"] is False
    assert found["media_view"] is None
    assert "https://objects.example.org" in found["img_src"]
    assert time.monotonic() - started < 30


def test_without_a_bucket_uploads_stay_on_the_filesystem():
    """The default: FileSystemStorage, served by Django, a CSP of 'self'."""
    found = settings_in_a_new_process()
    assert found["default"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }
    assert found["serve_media"] is True
    assert found["media_view"] == "media"
    assert found["img_src"] == ["'self'", "data:"]


@pytest.mark.parametrize(
    "environ, origins",
    [
        (
            {"DJANGO_S3_CUSTOM_DOMAIN": "media.example.org"},
            ["https://media.example.org"],
        ),
        (
            {"DJANGO_S3_REGION": "eu-west-2"},
            [
                "https://health-media.s3.amazonaws.com",
                "https://health-media.s3.eu-west-2.amazonaws.com",
            ],
        ),
        (
            {"DJANGO_S3_ENDPOINT_URL": "http://127.0.0.1:9000/"},
            ["http://127.0.0.1:9000"],
        ),
    ],
    ids=["custom-domain", "aws", "endpoint"],
)
def test_the_media_origin_follows_the_configuration(environ, origins):
    """Where the image URLs will point, for the CSP's img-src."""
    storage, found = s3_storage({"DJANGO_S3_BUCKET": "health-media", **environ})
    assert found == origins
    assert storage["OPTIONS"].get("custom_domain") == environ.get(
        "DJANGO_S3_CUSTOM_DOMAIN"
    )
