import pytest
from django.urls import reverse

from articles.models import Article, Review
from tests.conftest import APPROVAL, META, PASSWORD, SUMMARY, create_article

Status = Article.Status


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def run_action(client, article, action, on_change_form=True, **data):
    """POST an admin action the way the browser does."""
    if on_change_form:
        url = change_url(article)
        payload = {"CHANGE_FORM-action": action, "_selected_action": article.pk}
    else:
        url = reverse("admin:articles_article_changelist")
        payload = {"action": action, "_selected_action": article.pk, "index": 0}
    payload.update(data)
    return client.post(url, payload, follow=True)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def login(client):
    def login_as(user):
        client.force_login(user)
        return client

    return login_as


def test_writer_creates_article_through_admin(login, writer, reference):
    """Adding an article saves a revision and makes the writer its author."""
    client = login(writer)
    response = client.post(
        reverse("admin:articles_article_add"),
        {
            "title": "Cervical mucus",
            "slug": "cervical-mucus",
            "summary": SUMMARY,
            "body": "Claim [@najmabadi2021].",
            "meta_description": META,
            "medical_audience": "patient",
            "change_note": "First draft",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get()
    assert article.current_revision.change_note == "First draft"
    assert list(article.authors.all()) == [writer.contributor]
    assert article.references.get() == reference


def test_writer_cannot_edit_others_article(login, article, other_writer):
    """A writer who is not an author gets no change form for the article."""
    client = login(other_writer)
    response = client.post(change_url(article), {"title": "Hijacked"})
    assert response.status_code in {302, 403, 404}
    article.refresh_from_db()
    assert article.title != "Hijacked"


def test_writer_submits_from_change_form(login, article, writer):
    """The submit action on the change form moves the article into review."""
    response = run_action(login(writer), article, "submit_for_review")
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW
    assert any("submitted" in m for m in messages_of(response))


def test_writer_does_not_see_review_actions(login, article, writer):
    """Only permitted actions are offered on the change form."""
    response = login(writer).get(change_url(article))
    html = response.content.decode()
    assert 'value="submit_for_review"' in html
    assert 'value="approve"' not in html
    assert 'value="publish"' not in html


def test_writer_cannot_approve_by_crafted_post(login, article, writer):
    """A hand-made POST of a hidden action is refused on the server."""
    article.submit_for_review(by=writer)
    run_action(
        login(writer), article, "approve", confirm="1", full_review="on", **APPROVAL
    )
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW
    assert not Review.objects.exists()


def test_reviewer_approves_with_comment(login, article, writer, reviewer):
    """The approve action asks for a comment, then records the decision."""
    article.submit_for_review(by=writer)
    client = login(reviewer)
    first = run_action(client, article, "approve")
    assert b"Comment to the authors" in first.content
    response = run_action(
        client,
        article,
        "approve",
        confirm="1",
        comment="Well sourced.",
        full_review="on",
        **APPROVAL,
    )
    article.refresh_from_db()
    assert article.status == Status.APPROVED
    assert Review.objects.get().comment == "Well sourced."
    assert any("approved" in m for m in messages_of(response))


def test_request_changes_without_comment_keeps_form(login, article, writer, reviewer):
    """A missing comment re-shows the form with an error and changes nothing."""
    article.submit_for_review(by=writer)
    response = run_action(
        login(reviewer), article, "request_changes", confirm="1", comment=""
    )
    assert b"This field is required" in response.content
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW


def test_refused_action_shows_message_and_changes_nothing(login, article, editor):
    """Publishing a draft is refused with a clear message."""
    response = run_action(login(editor), article, "publish")
    article.refresh_from_db()
    assert article.live_revision is None
    assert any("Only an approved revision" in m for m in messages_of(response))


def test_editor_publishes_from_change_list(login, approved_article, editor):
    """The bulk publish action works from the change list."""
    run_action(login(editor), approved_article, "publish", on_change_form=False)
    approved_article.refresh_from_db()
    assert approved_article.is_live


def test_self_approval_refused_through_admin(login, reviewer, reference, writer):
    """A reviewer who wrote the article is refused with the reason."""
    article = create_article(writer)
    article.authors.add(reviewer.contributor)
    article.submit_for_review(by=writer)
    response = run_action(
        login(reviewer), article, "approve", confirm="1", full_review="on", **APPROVAL
    )
    assert any("You are an author" in m for m in messages_of(response))
    assert not Review.objects.exists()


def test_editing_live_article_drafts_an_update(login, live_article, writer):
    """Saving a live article in the admin keeps the live revision online."""
    live = live_article.live_revision
    response = login(writer).post(
        change_url(live_article),
        {
            "title": live_article.title,
            "slug": live_article.slug,
            "summary": live_article.summary,
            "body": "New text [@najmabadi2021].",
            "meta_description": live_article.meta_description,
            "medical_audience": "patient",
            "authors": [writer.contributor.pk],
            "references": [r.pk for r in live_article.references.all()],
            "base_version": live_article.edit_version,
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    live_article.refresh_from_db()
    assert live_article.live_revision == live
    assert live_article.status == Status.DRAFT
    assert live_article.current_revision.number == 2


def test_change_list_filters_awaiting_my_review(login, article, writer, reviewer):
    """The 'awaiting my review' filter lists articles the reviewer may decide."""
    article.submit_for_review(by=writer)
    response = login(reviewer).get(
        reverse("admin:articles_article_changelist") + "?mine=review"
    )
    assert article.title in response.content.decode()


def test_change_list_runs_constant_queries(
    login, writer, reviewer, editor, reference, django_assert_max_num_queries
):
    """The article list costs the same number of queries for 3 or 30 rows."""
    client = login(editor)
    for n in range(30):
        create_article(writer, slug=f"article-{n}", title=f"Article {n}")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:articles_article_changelist"))
    assert response.status_code == 200


def test_admin_login_works_with_password(client, writer):
    """Demo-style password login reaches the admin index."""
    assert client.login(username="writer", password=PASSWORD)
    assert client.get(reverse("admin:index")).status_code == 200
