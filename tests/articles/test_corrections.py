"""Corrections in public: the writer classifies an update of a live page, the
reviewer confirms the class, and a correction's note reaches readers (top of
the page, update history, /corrections/, its feed, JSON-LD) only once it is
live."""

import json
import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from articles.models import (
    Article,
    Correction,
    Review,
    Revision,
    compute_content_hash,
)
from articles.workflow import WorkflowError, approve, snapshot

NOTE = "We previously said the fertile window lasts 10 days. It lasts about 6 days."
FIXED = "Mucus changes over about 6 days [@najmabadi2021]."


def change(article, writer, change_class, note="", body=FIXED):
    """Save an edit of `article` classified as `change_class`."""
    article.body = body
    return article.save_revision(
        by=writer, change_class=change_class, correction_note=note
    )


def correct(article, writer, reviewer, note=NOTE):
    """A correction of a live article, submitted and approved (not published)."""
    change(article, writer, "correction", note)
    article.submit_for_review(by=writer)
    article.approve(by=reviewer, change_class="correction")


def json_ld(html: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(found[1])


def article_node(html: str) -> dict:
    return next(n for n in json_ld(html)["@graph"] if n["@type"] == "Article")


def public_texts(client, article) -> list[str]:
    """What readers can get: the page, the corrections page and its feed."""
    return [
        client.get(url).content.decode()
        for url in (article.get_absolute_url(), "/corrections/", "/corrections/feed/")
    ]


# Classifying -----------------------------------------------------------------


def test_an_update_of_a_live_page_needs_a_class_to_be_submitted(live_article, writer):
    """Submitting an unclassified update of a live page is refused."""
    live_article.body = FIXED
    live_article.save_revision(by=writer)
    with pytest.raises(WorkflowError, match="what kind of change"):
        live_article.submit_for_review(by=writer)


def test_a_classified_update_can_be_submitted(live_article, writer):
    """With a class, the update goes to review."""
    change(live_article, writer, "minor")
    live_article.submit_for_review(by=writer)
    assert live_article.status == Article.Status.IN_REVIEW


def test_a_first_publication_needs_no_class(article, writer):
    """An article that was never live is submitted without a class."""
    article.submit_for_review(by=writer)
    assert article.status == Article.Status.IN_REVIEW


def test_a_correction_needs_a_note(live_article, writer):
    """A correction without its note for readers is refused."""
    with pytest.raises(WorkflowError, match="needs a note"):
        change(live_article, writer, "correction", "  ")


def test_only_a_correction_has_a_note(live_article, writer):
    """An update carrying a note is refused."""
    with pytest.raises(WorkflowError, match="Only a correction"):
        change(live_article, writer, "update", NOTE)


def test_a_long_correction_note_is_refused(live_article, writer):
    """The note is short: over 500 characters is refused."""
    with pytest.raises(WorkflowError, match="under 500"):
        change(live_article, writer, "correction", "x" * 501)


def test_an_unknown_class_is_refused(live_article, writer):
    with pytest.raises(WorkflowError, match="not a kind of change"):
        change(live_article, writer, "retraction")


def test_the_note_is_one_paragraph(live_article, writer):
    """Line breaks in the note become spaces."""
    revision = change(live_article, writer, "correction", "We said X.\n\nIt is Y.")
    assert revision.correction_note == "We said X. It is Y."


def test_the_database_refuses_a_correction_without_a_note(live_article, writer):
    """A CheckConstraint backs the note rule."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Revision.objects.create(
            article=live_article,
            number=99,
            title="t",
            medical_audience="patient",
            body_html="",
            content_hash="0" * 64,
            change_class="correction",
        )


def test_a_system_saved_revision_keeps_the_pending_class(live_article, writer):
    """A revision saved without a class (e.g. after a reference edit) keeps
    the pending update's class and note."""
    change(live_article, writer, "correction", NOTE)
    live_article.summary += " More."
    revision = live_article.save_revision(by=None)
    assert (revision.change_class, revision.correction_note) == ("correction", NOTE)


def test_the_next_update_starts_unclassified(live_article, writer, reviewer, editor):
    """Once a correction is live, a new system save does not inherit it."""
    correct(live_article, writer, reviewer)
    live_article.publish(by=editor)
    live_article.summary += " More."
    revision = live_article.save_revision(by=None)
    assert (revision.change_class, revision.correction_note) == ("", "")


# The hash ----------------------------------------------------------------------


def test_an_unclassified_revision_hashes_as_before(article):
    """Without a class, the hash covers exactly what it covered before."""
    revision = article.current_revision
    snap = snapshot(article)
    hashed = {
        **snap["content"],
        "authors": snap["bylines"],
        "topics": snap["topic_list"],
        "review_interval_months": snap["review_interval_months"],
    }
    assert revision.content_hash == compute_content_hash(
        hashed, snap["rendered"].references
    )


def test_the_class_and_note_are_part_of_the_hash(live_article, writer):
    """Changing only the class, or only the note, makes a new revision."""
    first = change(live_article, writer, "correction", NOTE)
    second = change(live_article, writer, "correction", NOTE + " Sorry.")
    third = change(live_article, writer, "update")
    hashes = {first.content_hash, second.content_hash, third.content_hash}
    assert len(hashes) == 3


# Confirming at approval --------------------------------------------------------


def test_approval_needs_the_class_confirmed(live_article, writer, reviewer):
    """The workflow API refuses an approval that does not confirm the class."""
    change(live_article, writer, "correction", NOTE)
    live_article.submit_for_review(by=writer)
    with pytest.raises(WorkflowError, match="Confirm the kind of change"):
        live_article.approve(by=reviewer)


def test_approval_with_another_class_is_refused(live_article, writer, reviewer):
    """A reviewer who thinks the class is wrong is told to request changes."""
    change(live_article, writer, "minor")
    live_article.submit_for_review(by=writer)
    with pytest.raises(WorkflowError, match="request changes"):
        approve(live_article, by=reviewer, change_class="correction")
    live_article.refresh_from_db()
    assert live_article.status == Article.Status.IN_REVIEW


def test_the_approval_records_the_confirmed_class(live_article, writer, reviewer):
    correct(live_article, writer, reviewer)
    assert live_article.approval.change_class == "correction"


def test_a_first_publication_has_no_class_to_confirm(article, writer, reviewer):
    """Confirming a class the revision does not have is refused."""
    article.submit_for_review(by=writer)
    with pytest.raises(WorkflowError, match="no kind of change"):
        article.approve(by=reviewer, change_class="update")


def test_the_database_refuses_an_approval_of_another_class(
    live_article, writer, reviewer
):
    """The review trigger backs the confirmation."""
    revision = change(live_article, writer, "minor")
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(
            revision=revision,
            reviewer=reviewer,
            decision="approved",
            content_hash=revision.content_hash,
            reviewer_name="Dr Rhea Reviewer",
            reviewer_credentials="MD",
            change_class="update",
        )


# Publishing --------------------------------------------------------------------


def test_nothing_public_while_submitted(client, live_article, writer):
    """A submitted correction shows nowhere public."""
    change(live_article, writer, "correction", NOTE)
    live_article.submit_for_review(by=writer)
    for text in public_texts(client, live_article):
        assert "fertile window lasts 10 days" not in text
    assert not Correction.objects.exists()


def test_nothing_public_while_approved_but_unpublished(
    client, live_article, writer, reviewer
):
    """An approved correction waits for its publication."""
    correct(live_article, writer, reviewer)
    page, listing, feed = public_texts(client, live_article)
    for text in (page, listing, feed):
        assert "fertile window lasts 10 days" not in text
    assert "correction" not in article_node(page)


def test_a_published_correction_shows_at_the_top_of_the_page(
    client, live_article, writer, reviewer, editor
):
    """ "Correction, <date>: <note>" above the article's text."""
    correct(live_article, writer, reviewer)
    live_article.publish(by=editor)
    html = client.get(live_article.get_absolute_url()).content.decode()
    top = html.index('class="correction-notice"')
    assert top < html.index('class="article-body"')
    assert re.search(
        r"Correction, <time datetime=\"[\d-]+\">[^<]+</time>:</strong> We previously",
        html,
    )


def test_a_correction_stays_in_the_update_history(
    client, live_article, writer, reviewer, editor
):
    correct(live_article, writer, reviewer)
    live_article.publish(by=editor)
    html = client.get(live_article.get_absolute_url()).content.decode()
    history = html[html.index('id="history-heading"') :]
    assert f"Correction: {NOTE}" in history


def test_the_correction_note_is_escaped(client, live_article, writer, reviewer, editor):
    """The note is plain text: markup in it is shown, not run."""
    correct(live_article, writer, reviewer, note="We said <b>10</b> & meant 6.")
    live_article.publish(by=editor)
    html = client.get(live_article.get_absolute_url()).content.decode()
    assert "We said &lt;b&gt;10&lt;/b&gt; &amp; meant 6." in html
    assert "<b>10</b>" not in html


def test_publication_history_records_the_class_and_note(
    live_article, writer, reviewer, editor
):
    correct(live_article, writer, reviewer)
    live_article.publish(by=editor)
    live_article.refresh_from_db()
    entry = live_article.publication_history[0]
    assert (entry["change_class"], entry["correction_note"]) == ("correction", NOTE)


def test_an_update_moves_last_reviewed(live_article, writer, reviewer, editor):
    """An update's new content was reviewed: "last reviewed" moves."""
    Article.objects.filter(pk=live_article.pk).update(last_reviewed="2024-01-02")
    live_article.refresh_from_db()
    change(live_article, writer, "update")
    live_article.submit_for_review(by=writer)
    live_article.approve(by=reviewer, full_review=False, change_class="update")
    live_article.publish(by=editor)
    live_article.refresh_from_db()
    assert str(live_article.last_reviewed) != "2024-01-02"


def test_a_correction_keeps_last_reviewed(live_article, writer, reviewer, editor):
    Article.objects.filter(pk=live_article.pk).update(last_reviewed="2024-01-02")
    live_article.refresh_from_db()
    change(live_article, writer, "correction", NOTE)
    live_article.submit_for_review(by=writer)
    live_article.approve(by=reviewer, full_review=False, change_class="correction")
    live_article.publish(by=editor)
    live_article.refresh_from_db()
    assert str(live_article.last_reviewed) == "2024-01-02"


def test_a_minor_change_is_listed_without_a_note(
    client, live_article, writer, reviewer, editor
):
    change(live_article, writer, "minor")
    live_article.submit_for_review(by=writer)
    live_article.approve(by=reviewer, change_class="minor")
    live_article.publish(by=editor)
    html = client.get(live_article.get_absolute_url()).content.decode()
    assert "Minor changes (spelling or formatting)" in html
    assert 'class="correction-notice"' not in html


def test_a_minor_change_after_a_correction_keeps_it_at_the_top(
    client, live_article, writer, reviewer, editor
):
    correct(live_article, writer, reviewer)
    live_article.publish(by=editor)
    change(live_article, writer, "minor", body=FIXED + " ")
    live_article.summary += " Typo."
    live_article.save_revision(by=writer, change_class="minor")
    live_article.submit_for_review(by=writer)
    live_article.approve(by=reviewer, change_class="minor")
    live_article.publish(by=editor)
    html = client.get(live_article.get_absolute_url()).content.decode()
    assert 'class="correction-notice"' in html


def test_an_update_after_a_correction_leaves_it_in_the_history(
    client, live_article, writer, reviewer, editor
):
    correct(live_article, writer, reviewer)
    live_article.publish(by=editor)
    change(live_article, writer, "update", body=FIXED + " More [@najmabadi2021].")
    live_article.submit_for_review(by=writer)
    live_article.approve(by=reviewer, change_class="update")
    live_article.publish(by=editor)
    html = client.get(live_article.get_absolute_url()).content.decode()
    assert 'class="correction-notice"' not in html
    assert f"Correction: {NOTE}" in html


# /corrections/, its feed, JSON-LD ----------------------------------------------


def test_corrections_page_lists_a_published_correction(
    client, live_article, writer, reviewer, editor
):
    correct(live_article, writer, reviewer)
    live_article.publish(by=editor)
    html = client.get("/corrections/").content.decode()
    assert NOTE in html
    assert f'href="{live_article.get_absolute_url()}"' in html
    assert live_article.live_revision.title in html


def test_corrections_page_links_its_feed(client, db):
    html = client.get("/corrections/").content.decode()
    feed = reverse("articles:corrections_feed")
    assert re.search(
        rf'<link rel="alternate" type="application/atom\+xml"[^>]*href="{feed}"', html
    )
    assert "No corrections yet." in html


def test_corrections_are_newest_first(
    client, live_article, writer, reviewer, editor, time_machine
):
    time_machine.move_to("2026-12-01 10:00Z")
    correct(live_article, writer, reviewer, note="First fix.")
    live_article.publish(by=editor)
    time_machine.move_to("2026-12-07 10:00Z")
    change(live_article, writer, "correction", "Second fix.", body=FIXED + " ")
    live_article.summary += " Fixed."
    live_article.save_revision(
        by=writer, change_class="correction", correction_note="Second fix."
    )
    live_article.submit_for_review(by=writer)
    live_article.approve(by=reviewer, change_class="correction")
    live_article.publish(by=editor)
    html = client.get("/corrections/").content.decode()
    assert html.index("Second fix.") < html.index("First fix.")
    assert 'Correction, <time datetime="2026-12-07">7 December 2026</time>' in html


def test_corrections_feed_has_the_correction(
    client, live_article, writer, reviewer, editor
):
    correct(live_article, writer, reviewer)
    live_article.publish(by=editor)
    response = client.get("/corrections/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    xml = response.content.decode()
    assert "<feed" in xml
    assert NOTE in xml
    assert f"/articles/{live_article.slug}/#corrections" in xml


def test_json_ld_carries_the_correction(client, live_article, writer, reviewer, editor):
    correct(live_article, writer, reviewer)
    live_article.publish(by=editor)
    html = client.get(live_article.get_absolute_url()).content.decode()
    [comment] = article_node(html)["correction"]
    assert comment["@type"] == "CorrectionComment"
    assert comment["text"] == NOTE
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", comment["datePublished"])


def test_corrections_page_runs_one_query_however_many(
    client, live_article, writer, reviewer, editor, django_assert_num_queries, settings
):
    """One query lists the page, for one correction or five."""
    settings.HEALTH_PAGE_CACHE = False
    for n in range(5):
        change(live_article, writer, "correction", f"Fix {n}.", body=FIXED + " " * n)
        live_article.summary += "."
        live_article.save_revision(
            by=writer, change_class="correction", correction_note=f"Fix {n}."
        )
        live_article.submit_for_review(by=writer)
        live_article.approve(by=reviewer, change_class="correction")
        live_article.publish(by=editor)
    with django_assert_num_queries(1):
        response = client.get("/corrections/")
    assert response.content.decode().count("Correction, <time") == 5


def test_withdrawal_removes_corrections_from_the_list_and_purges_it(
    client, live_article, writer, reviewer, editor, commit
):
    """A withdrawn article's corrections leave /corrections/ and its feed at
    once, cached copies included."""
    correct(live_article, writer, reviewer)
    with commit():
        live_article.publish(by=editor)
    for url in ("/corrections/", "/corrections/feed/"):
        assert NOTE in client.get(url).content.decode()
        assert client.get(url)["X-Page-Cache"] == "hit"
    with commit():
        live_article.unpublish(by=editor, reason="Out of date.")
    for url in ("/corrections/", "/corrections/feed/"):
        assert NOTE not in client.get(url).content.decode()


def test_a_correction_going_live_purges_the_cached_list(
    client, live_article, writer, reviewer, editor, commit
):
    assert client.get("/corrections/")["X-Page-Cache"] == "miss"
    assert client.get("/corrections/")["X-Page-Cache"] == "hit"
    correct(live_article, writer, reviewer)
    with commit():
        live_article.publish(by=editor)
    assert NOTE in client.get("/corrections/").content.decode()


def test_editorial_policy_explains_the_classes(client, db):
    html = client.get("/editorial-policy/").content.decode()
    for name in ("Correction", "Update", "Minor change"):
        assert f'<dt id="class-{name.split()[0].lower()}">{name}</dt>' in html
