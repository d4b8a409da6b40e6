"""Malformed and oversized requests get a readable 400 at the edge, never a 500
(on SQLite and PostgreSQL, which refuses NUL in text)."""

from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import PASSWORD

LOGIN = "/admin/login/"


def post_form(client, url, data):
    return client.post(
        url, urlencode(data), content_type="application/x-www-form-urlencoded"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/search/?q=%00",
        "/search/?q=a%00b&page=1",
        "/search/?%00=x",
        "/search/?q=%ff%fe",
        "/articles/x%00y/",
    ],
)
def test_nul_or_non_utf8_in_the_address_is_refused(client, url):
    """NUL anywhere in the path or query string, or a query string that is not
    UTF-8, gets the 400 page."""
    response = client.get(url)
    assert response.status_code == 400
    assert "We could not read that request" in response.text


@pytest.mark.django_db
def test_nul_in_an_admin_list_filter_is_refused(client, editor):
    """The admin list filter `?status__exact=%00` is a 400, not a 500."""
    client.force_login(editor)
    url = reverse("admin:articles_article_changelist")
    assert client.get(url + "?status__exact=draft").status_code == 200
    assert client.get(url + "?status__exact=%00").status_code == 400


@pytest.mark.django_db
def test_nul_in_form_data_is_refused(client, writer):
    """A form field containing NUL is refused before any view sees it."""
    response = post_form(client, LOGIN, {"username": "wri\x00ter", "password": "x"})
    assert response.status_code == 400
    assert "form data contained invalid characters" in response.text


@pytest.mark.django_db
def test_nul_in_a_multipart_text_field_is_refused(client, writer):
    """Multipart forms (the article form has an image field) are checked too."""
    response = client.post(LOGIN, {"username": "writer\x00", "password": "x"})
    assert response.status_code == 400


@pytest.mark.django_db
def test_nul_bytes_inside_an_uploaded_file_are_allowed(client, writer):
    """A file's bytes are not text: an image full of NUL bytes passes the edge."""
    upload = SimpleUploadedFile("a.png", b"\x89PNG\x00\x00\x00", "image/png")
    response = client.post(
        LOGIN, {"username": "writer", "password": "wrong", "file": upload}
    )
    assert response.status_code == 200
    assert "correct username and password" in response.text


@pytest.mark.django_db
def test_nul_in_a_cookie_is_refused(client):
    """A quoted cookie may carry an escaped NUL; it never reaches the session
    lookup."""
    cookie = 'sessionid="abc\\000defghijk"'
    assert client.get("/admin/", HTTP_COOKIE=cookie).status_code == 400


@pytest.mark.django_db
def test_ordinary_requests_pass(client, writer):
    """Search and log-in still work, accents included."""
    assert client.get("/search/?q=caf%C3%A9+au+lait").status_code == 200
    response = post_form(client, LOGIN, {"username": "writer", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_request_over_the_size_limit_gets_a_readable_page(client, settings):
    """Over DATA_UPLOAD_MAX_MEMORY_SIZE: a 400 page saying the limit."""
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 5 * 1024 * 1024
    body = "x" * (6 * 1024 * 1024)
    response = post_form(client, LOGIN, {"username": "writer", "password": body})
    assert response.status_code == 400
    assert "too large: the limit is 5 MB" in response.text


@pytest.mark.django_db
def test_a_long_paste_under_the_limit_reaches_the_form(client, writer):
    """A 3 MB field reaches the view, which can keep the text and explain."""
    body = "x" * (3 * 1024 * 1024)
    response = post_form(client, LOGIN, {"username": "writer", "password": body})
    assert response.status_code == 200
    assert 'value="writer"' in response.text
