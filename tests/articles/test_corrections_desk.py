"""Corrections on the desk: the edit form's kind of change, the reviewer's
confirmation on the review screen and the approve action, and the history."""

import re

import pytest
from django.urls import reverse

from articles.models import Article
from tests.conftest import APPROVAL

NOTE = "We previously said 10 days. The fertile window is about 6 days."


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def review_url(article):
    return reverse("admin:articles_article_review", args=[article.pk])


def edit_form(article, writer, **data):
    """The change form's POST, with a new body and `data`."""
    return {
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "body": "Mucus changes over about 6 days [@najmabadi2021].",
        "meta_description": article.meta_description,
        "medical_audience": "patient",
        "authors": [writer.contributor.pk],
        "references": [r.pk for r in article.references.all()],
        "base_version": article.edit_version,
        "_save": "Save",
        **data,
    }


@pytest.fixture
def submitted_correction(live_article, writer):
    live_article.body = "Mucus changes over about 6 days [@najmabadi2021]."
    live_article.save_revision(
        by=writer, change_class="correction", correction_note=NOTE
    )
    live_article.submit_for_review(by=writer)
    return live_article


def test_the_edit_form_asks_the_kind_of_change_of_a_live_article(
    client, live_article, writer
):
    client.force_login(writer)
    html = client.get(change_url(live_article)).content.decode()
    assert "Kind of change" in html
    assert 'name="correction_note"' in html


def test_the_edit_form_of_a_draft_has_no_kind_of_change(client, article, writer):
    client.force_login(writer)
    html = client.get(change_url(article)).content.decode()
    assert 'name="change_class"' not in html


def test_the_writer_saves_a_correction_with_its_note(client, live_article, writer):
    client.force_login(writer)
    response = client.post(
        change_url(live_article),
        edit_form(
            live_article, writer, change_class="correction", correction_note=NOTE
        ),
    )
    assert response.status_code == 302
    live_article.refresh_from_db()
    revision = live_article.current_revision
    assert (revision.change_class, revision.correction_note) == ("correction", NOTE)


def test_a_correction_without_a_note_keeps_the_writers_text(
    client, live_article, writer
):
    """The form says what is missing and keeps what was typed."""
    client.force_login(writer)
    response = client.post(
        change_url(live_article),
        edit_form(live_article, writer, change_class="correction"),
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "needs a note" in str(form.errors["correction_note"])
    assert "about 6 days" in response.content.decode()
    live_article.refresh_from_db()
    assert live_article.current_revision == live_article.live_revision


def test_a_note_on_an_update_is_refused_and_kept(client, live_article, writer):
    client.force_login(writer)
    response = client.post(
        change_url(live_article),
        edit_form(live_article, writer, change_class="update", correction_note=NOTE),
    )
    assert response.status_code == 200
    assert "Only a correction" in str(
        response.context["adminform"].form.errors["correction_note"]
    )
    assert NOTE in response.content.decode()


def test_the_form_shows_the_pending_class(client, submitted_correction, writer):
    """Editing again starts from the pending update's class and note."""
    client.force_login(writer)
    html = client.get(change_url(submitted_correction)).content.decode()
    assert NOTE in html
    assert re.search(r'name="change_class" value="correction"[^>]*checked', html)


def test_submitting_an_unclassified_update_says_what_to_do(
    client, live_article, writer
):
    live_article.body = "Changed [@najmabadi2021]."
    live_article.save_revision(by=writer)
    client.force_login(writer)
    response = client.post(
        change_url(live_article),
        {
            "CHANGE_FORM-action": "submit_for_review",
            "_selected_action": live_article.pk,
        },
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any("Kind of change" in m for m in messages)


def test_the_review_screen_shows_the_writers_class_and_note(
    client, submitted_correction, reviewer
):
    client.force_login(reviewer)
    html = client.get(review_url(submitted_correction)).content.decode()
    assert "The writer classified this update as <strong>Correction</strong>" in html
    assert NOTE in html


def test_approving_as_another_class_is_refused_on_the_review_screen(
    client, submitted_correction, reviewer
):
    client.force_login(reviewer)
    response = client.post(
        review_url(submitted_correction),
        {"decision": "approve", "change_class": "minor", **APPROVAL},
    )
    assert response.status_code == 200
    assert "request changes" in response.content.decode()
    submitted_correction.refresh_from_db()
    assert submitted_correction.status == Article.Status.IN_REVIEW


def test_approving_without_confirming_is_refused(
    client, submitted_correction, reviewer
):
    client.force_login(reviewer)
    response = client.post(
        review_url(submitted_correction), {"decision": "approve", **APPROVAL}
    )
    assert "Confirm the kind of change" in response.content.decode()


def test_confirming_the_class_approves(client, submitted_correction, reviewer):
    client.force_login(reviewer)
    response = client.post(
        review_url(submitted_correction),
        {"decision": "approve", "change_class": "correction", **APPROVAL},
    )
    assert response.status_code == 302
    submitted_correction.refresh_from_db()
    assert submitted_correction.approval.change_class == "correction"


def test_the_approve_action_checks_the_class(client, submitted_correction, reviewer):
    """The action's form passes the class on; the workflow refuses a wrong one."""
    client.force_login(reviewer)
    response = client.post(
        change_url(submitted_correction),
        {
            "CHANGE_FORM-action": "approve",
            "_selected_action": submitted_correction.pk,
            "confirm": "1",
            "change_class": "update",
            **APPROVAL,
        },
        follow=True,
    )
    assert any("request changes" in str(m) for m in response.context["messages"])
    submitted_correction.refresh_from_db()
    assert submitted_correction.status == Article.Status.IN_REVIEW


def test_the_approve_action_shows_the_writers_class(
    client, submitted_correction, reviewer
):
    client.force_login(reviewer)
    response = client.post(
        change_url(submitted_correction),
        {"CHANGE_FORM-action": "approve", "_selected_action": submitted_correction.pk},
    )
    html = response.content.decode()
    assert "Kind of change, as the writer gave it: Correction" in html
    assert NOTE in html


def test_the_history_shows_the_class_and_note(client, submitted_correction, editor):
    client.force_login(editor)
    url = reverse("admin:articles_article_history", args=[submitted_correction.pk])
    html = client.get(url).content.decode()
    assert "<strong>Correction</strong>" in html
    assert NOTE in html
