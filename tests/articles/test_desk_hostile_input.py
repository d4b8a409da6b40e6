"""The desk's new endpoints against hostile input: a clear refusal, never a 500.
(A NUL byte anywhere in a request is refused with 400 at the edge, by
siteconf.middleware, before any view.)"""

import pytest
from django.urls import reverse

from articles.models import ReviewComment
from tests.conftest import make_user

HOSTILE = [
    "\x00",
    "a\x00b",
    "x" * 100_000,
    "line\r\nBcc: x@example.org",
    "javascript:alert(1)",
]


@pytest.fixture
def in_review(article, writer):
    article.submit_for_review(by=writer)
    return article


@pytest.mark.parametrize("text", HOSTILE)
def test_comment_endpoint_refuses_or_stores_safely(client, in_review, reviewer, text):
    client.force_login(reviewer)
    url = reverse("admin:articles_article_comment_add", args=[in_review.pk])
    response = client.post(
        url,
        {
            "quote": text,
            "body": text,
            "prefix": text,
            "suffix": text,
            "revision": in_review.current_revision.number,
        },
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code < 500
    for comment in ReviewComment.objects.all():
        assert "\x00" not in comment.body and len(comment.body) <= 5000


@pytest.mark.parametrize("text", HOSTILE)
def test_citation_search_answers_hostile_queries(client, writer, reference, text):
    client.force_login(writer)
    response = client.get(reverse("cite_search"), {"q": text})
    assert response.status_code in {200, 400}


@pytest.mark.parametrize("text", HOSTILE)
def test_lookup_refuses_hostile_identifiers(client, editor, text, settings):
    # Nothing may reach the network: the services point at a closed port.
    settings.HEALTH_LOOKUP = {
        key: "http://127.0.0.1:9/"
        for key in ("CROSSREF_URL", "DOI_URL", "EUTILS_URL", "IDCONV_URL")
    } | {"OPENLIBRARY_URL": "http://127.0.0.1:9/", "RETRIES": 0, "TIMEOUT": 1}
    client.force_login(editor)
    response = client.post(
        reverse("admin:references_reference_lookup"), {"identifier": text}
    )
    assert response.status_code in {200, 302, 400}


@pytest.mark.parametrize("against", HOSTILE + ["../../etc", "-1"])
def test_review_screen_ignores_a_hostile_comparison(
    client, in_review, reviewer, against
):
    client.force_login(reviewer)
    url = reverse("admin:articles_article_review", args=[in_review.pk])
    response = client.get(url, {"against": against, "view": against})
    assert response.status_code == (400 if "\x00" in against else 200)


def test_another_writer_cannot_see_or_comment(client, in_review, db):
    stranger = make_user("stranger", "Writers", display_name="Stranger")
    client.force_login(stranger)
    review = reverse("admin:articles_article_review", args=[in_review.pk])
    comment = reverse("admin:articles_article_comment_add", args=[in_review.pk])
    assert client.get(review).status_code in {403, 404}
    response = client.post(comment, {"quote": "x", "body": "y", "revision": 1})
    assert response.status_code in {403, 404}
    assert not ReviewComment.objects.exists()


@pytest.mark.parametrize("pk", ["999999", "0"])
def test_opening_a_missing_notification_is_404(client, writer, pk):
    client.force_login(writer)
    url = reverse("admin:articles_notification_open", args=[int(pk)])
    assert client.get(url).status_code == 404
