"""Uploaded media is served with DEBUG off, sandboxed, and never from outside
MEDIA_ROOT."""

import pytest

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def media_root(settings, tmp_path):
    settings.DEBUG = False
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "uploads").mkdir(parents=True)
    (tmp_path / "media" / "uploads" / "0f3a.png").write_bytes(PNG)
    (tmp_path / "secret.txt").write_text("SECRET_KEY=hunter2")
    return settings.MEDIA_ROOT


def test_an_upload_is_served_with_sandboxing_headers(client, media_root):
    """The file, with nosniff, a sandboxing CSP and a year of caching."""
    response = client.get("/media/uploads/0f3a.png")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize(
    "url",
    [
        "/media/../secret.txt",
        "/media/%2e%2e/secret.txt",
        "/media/uploads/../../secret.txt",
        "/media/uploads/..%2f..%2fsecret.txt",
        "/media//etc/passwd",
        "/media/uploads/",
    ],
)
def test_paths_outside_media_root_are_refused(client, media_root, url):
    """Traversal, absolute paths and directory listings get no file."""
    response = client.get(url)
    assert response.status_code in {400, 404}
    assert b"hunter2" not in response.content
    assert b"root:" not in response.content


def test_media_is_read_only(client, media_root):
    """Only GET and HEAD are answered."""
    assert client.post("/media/uploads/0f3a.png").status_code == 405
    assert client.head("/media/uploads/0f3a.png").status_code == 200
