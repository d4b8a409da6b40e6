"""Two real, simultaneous admin saves over HTTP: exactly one wins (PostgreSQL)."""

import re
import threading
import urllib.parse
import urllib.request

import pytest
from django.db import connection
from django.test import Client

from articles.models import Article
from tests.conftest import create_article

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serializes writers; the race needs PostgreSQL row locks",
    ),
]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect())


class Browser:
    """Plain HTTP with a logged-in session cookie and the CSRF cookie."""

    def __init__(self, user):
        client = Client()
        client.force_login(user)
        self.cookies = {name: morsel.value for name, morsel in client.cookies.items()}

    def request(self, url, data=None):
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        request = urllib.request.Request(
            url,
            data=urllib.parse.urlencode(data, doseq=True).encode() if data else None,
            headers={"Cookie": cookie, "Referer": url},
            method="POST" if data else "GET",
        )
        try:
            with OPENER.open(request) as response:
                status, body, headers = (
                    response.status,
                    response.read(),
                    response.headers,
                )
        except urllib.error.HTTPError as error:
            status, body, headers = error.code, error.read(), error.headers
        for header in headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";")[0]
        return status, body.decode()

    def open_form(self, url):
        status, html = self.request(url)
        assert status == 200, status
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        version = re.search(r'name="base_version" value="(\d+)"', html)
        return token.group(1), version.group(1)


def test_two_simultaneous_saves_cannot_both_win(live_server, writer, editor, reference):
    """Both forms opened on the same version; only one save is accepted."""
    article = create_article(writer)
    url = f"{live_server.url}/admin/articles/article/{article.pk}/change/"
    browsers = {"writer": Browser(writer), "editor": Browser(editor)}
    forms = {name: browser.open_form(url) for name, browser in browsers.items()}
    barrier = threading.Barrier(2)
    results = {}

    def save(name):
        token, version = forms[name]
        data = {
            "csrfmiddlewaretoken": token,
            "title": article.title,
            "slug": article.slug,
            "summary": article.summary,
            "body": f"Edit by {name} [@najmabadi2021].",
            "meta_description": article.meta_description,
            "medical_audience": "patient",
            "authors": writer.contributor.pk,
            "references": reference.pk,
            "base_version": version,
            "_save": "Save",
        }
        barrier.wait()
        results[name] = browsers[name].request(url, data)

    threads = [threading.Thread(target=save, args=(n,)) for n in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    statuses = sorted(status for status, _ in results.values())
    assert statuses == [200, 302], results
    loser = next(body for status, body in results.values() if status == 200)
    assert "saved this article at" in loser
    winner = next(name for name, (status, _) in results.items() if status == 302)
    article.refresh_from_db()
    assert article.body == f"Edit by {winner} [@najmabadi2021]."
    assert article.edit_version == 1
    assert Article.objects.get(pk=article.pk).revisions.count() == 2
