"""Comments on the text: who may add, see and resolve them, and what is stored."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from articles.models import ReviewComment
from tests.conftest import PASSWORD, make_user

JSON = {"HTTP_ACCEPT": "application/json"}


def add_url(article):
    return reverse("admin:articles_article_comment_add", args=[article.pk])


def resolve_url(comment):
    return reverse(
        "admin:articles_article_comment_resolve",
        args=[comment.article_id, comment.pk],
    )


def payload(article, **overrides):
    data = {
        "quote": "Mucus changes",
        "prefix": "",
        "suffix": " [1].",
        "body": "Which changes? Say what the mucus looks like.",
        "revision": article.current_revision.number,
    }
    data.update(overrides)
    return data


@pytest.fixture
def comment(article, reviewer):
    return ReviewComment.objects.create(
        article=article,
        revision=article.current_revision,
        author=reviewer,
        quote="Mucus changes",
        body="Which changes?",
    )


def test_reviewer_comments_on_a_passage(client, article, reviewer):
    """The quote, its context and the revision are stored with the comment."""
    client.force_login(reviewer)
    response = client.post(add_url(article), payload(article), **JSON)
    assert response.status_code == 201
    stored = ReviewComment.objects.get()
    assert (stored.quote, stored.prefix, stored.suffix) == (
        "Mucus changes",
        "",
        " [1].",
    )
    assert stored.revision == article.current_revision
    assert stored.author == reviewer and stored.is_open
    assert response.json()["resolve_url"] == resolve_url(stored)


def test_writer_comments_on_their_own_article(client, article, writer):
    """An author may comment too (answering the reviewer in place)."""
    client.force_login(writer)
    assert client.post(add_url(article), payload(article), **JSON).status_code == 201


@pytest.mark.parametrize("who", ["other_writer", "reader", "anonymous"])
def test_others_cannot_comment(client, article, who, request):
    """Another writer gets 404; no staff account goes to the login page."""
    if who == "reader":
        User.objects.create_user("reader", "reader@example.org", PASSWORD)
        client.login(username="reader", password=PASSWORD)
    elif who == "other_writer":
        client.force_login(request.getfixturevalue("other_writer"))
    response = client.post(add_url(article), payload(article), **JSON)
    assert response.status_code == (404 if who == "other_writer" else 302)
    assert not ReviewComment.objects.exists()


def test_comments_need_a_csrf_token(article, reviewer):
    """A POST from another site is refused."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    response = client.post(add_url(article), payload(article), **JSON)
    assert response.status_code == 403
    assert not ReviewComment.objects.exists()


def test_comment_on_a_stale_revision_is_refused(client, article, reviewer, writer):
    """The article was saved again: 409, with a message, nothing stored."""
    client.force_login(reviewer)
    response = client.post(add_url(article), payload(article, revision=99), **JSON)
    assert response.status_code == 409
    assert "reload the page" in response.json()["error"]
    assert not ReviewComment.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [{"quote": "x" * 1001}, {"body": "x" * 5001}, {"body": "  "}, {"quote": ""}],
)
def test_bad_comments_are_refused(client, article, reviewer, overrides):
    """Over-long or empty input gets a 400 with the reason."""
    client.force_login(reviewer)
    response = client.post(add_url(article), payload(article, **overrides), **JSON)
    assert response.status_code == 400
    assert response.json()["error"]
    assert not ReviewComment.objects.exists()


def test_get_is_not_allowed(client, article, reviewer):
    """Only POST adds a comment."""
    client.force_login(reviewer)
    assert client.get(add_url(article)).status_code == 405


@pytest.mark.parametrize("who", ["writer", "reviewer", "editor"])
def test_writer_commenter_and_editor_resolve(client, comment, who, request):
    """The author, the commenter or an editor marks a comment resolved."""
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.post(resolve_url(comment))
    assert response.status_code == 302
    comment.refresh_from_db()
    assert not comment.is_open and comment.resolved_by == user


def test_another_reviewer_cannot_resolve(client, comment):
    """A reviewer who did not write the comment leaves it open."""
    other = make_user("reviewer2", "Medical reviewers", credentials="MD")
    client.force_login(other)
    assert client.post(resolve_url(comment)).status_code == 403
    comment.refresh_from_db()
    assert comment.is_open


def test_other_writer_cannot_resolve(client, comment, other_writer):
    """A writer of another article does not even find it."""
    client.force_login(other_writer)
    assert client.post(resolve_url(comment)).status_code == 404
    comment.refresh_from_db()
    assert comment.is_open


def test_writer_sees_open_comments_on_the_change_form(client, comment, writer):
    """The change form lists the open comments with a Resolve button."""
    client.force_login(writer)
    page = client.get(
        reverse("admin:articles_article_change", args=[comment.article_id])
    ).content.decode()
    assert "1 open comment on the text" in page
    assert "Which changes?" in page
    assert resolve_url(comment) in page


def test_comment_text_is_escaped(client, article, reviewer):
    """A comment's quote and body are shown as text, never markup."""
    client.force_login(reviewer)
    client.post(
        add_url(article),
        payload(article, quote="<b>x</b>", body="<script>alert(1)</script>"),
        **JSON,
    )
    page = client.get(
        reverse("admin:articles_article_review", args=[article.pk])
    ).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
