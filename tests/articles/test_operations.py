"""Editorial operations: history, diffs, conflicts, scheduling, re-review,
notifications, dashboard and shareable previews."""

import datetime

import pytest
import time_machine
from django.core import mail, signing
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles.admin.diffs import word_diff
from articles.models import Article, AuditEntry, PreviewLink
from articles.workflow import (
    WorkflowError,
    run_due_schedules,
    schedule_unpublish,
)
from tests.conftest import create_article
from tests.tasks import run_tasks

Status = Article.Status
NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)


# History and diffs ----------------------------------------------------------


def test_word_diff_marks_changed_words_only():
    """A changed word is deleted and inserted alone; the rest is unchanged."""
    html, inserted, deleted = word_diff(
        "Progesterone may reduce risk.", "Progesterone does not reduce risk."
    )
    assert html == ("Progesterone <del>may</del><ins>does not</ins> reduce risk.")
    assert (inserted, deleted) == (2, 1)


def test_word_diff_escapes_html():
    """Diffed text is escaped before marking."""
    html, _, _ = word_diff("a", "<script>")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_history_page_shows_one_timeline(client, live_article, editor):
    """Revisions, reviews and audit entries appear on the history page."""
    client.force_login(editor)
    url = reverse("admin:articles_article_history", args=[live_article.pk])
    html = client.get(url).content.decode()
    assert "Revision 1 saved" in html
    assert "Approved revision 1: Accurate and well sourced." in html
    assert "Published" in html


def test_reviewer_sees_changes_since_last_approval_first(
    client, live_article, writer, reviewer
):
    """An update in review opens with a diff against the approved revision."""
    live_article.body = "Mucus changes a lot [@najmabadi2021]."
    live_article.save_revision(by=writer, change_class="update")
    live_article.submit_for_review(by=writer)
    client.force_login(reviewer)
    html = client.get(
        reverse("admin:articles_article_change", args=[live_article.pk])
    ).content.decode()
    assert "What changed since the last approved revision (1)" in html
    assert "<ins> a lot</ins>" in html


def test_compare_any_two_revisions(client, article, writer, editor):
    """The compare page diffs the two chosen revisions, including references."""
    article.title = "A better title"
    article.save_revision(by=writer)
    client.force_login(editor)
    url = reverse("admin:articles_article_compare", args=[article.pk])
    html = client.get(url + "?from=1&to=2").content.decode()
    assert "<del>Cervical mucus and the fertile window</del>" in html
    assert "<ins>A better title</ins>" in html
    assert "Cited references" in html


def test_restore_creates_new_revision_needing_review(
    client, live_article, writer, editor
):
    """Restoring an old revision drafts a new one and rewrites no history."""
    live_article.body = "Second version [@najmabadi2021]."
    live_article.save_revision(by=writer)
    client.force_login(editor)
    client.post(
        reverse("admin:articles_article_restore", args=[live_article.pk, 1]),
        {"note": "Back to the reviewed wording."},
    )
    live_article.refresh_from_db()
    assert live_article.current_revision.number == 3
    assert live_article.current_revision.body == "Mucus changes [@najmabadi2021]."
    assert live_article.status == Status.DRAFT
    assert live_article.revisions.count() == 3
    assert AuditEntry.objects.filter(article=live_article, action="restore").exists()


def test_restore_refused_for_other_writer(client, article, other_writer):
    """Someone who cannot edit the article cannot restore into it."""
    article.body = "v2 [@najmabadi2021]."
    article.save_revision(by=article.created_by)
    client.force_login(other_writer)
    response = client.post(
        reverse("admin:articles_article_restore", args=[article.pk, 1])
    )
    assert response.status_code in {403, 404}
    assert article.revisions.count() == 2


# Nothing lost when two people edit --------------------------------------------


def form_data(article, **changes):
    data = {
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "body": article.body,
        "meta_description": article.meta_description,
        "medical_audience": article.medical_audience,
        "authors": [a.pk for a in article.authors.all()],
        "references": [r.pk for r in article.references.all()],
        "base_version": article.edit_version,
        "_save": "Save",
    }
    data.update(changes)
    return data


def test_stale_save_is_refused_and_keeps_text(client, article, writer, editor):
    """A save based on an old version is refused, says who saved, keeps the text."""
    url = reverse("admin:articles_article_change", args=[article.pk])
    mine = form_data(article, body="My careful edit [@najmabadi2021].")
    client.force_login(editor)
    client.post(url, form_data(article, body="Editor's edit [@najmabadi2021]."))
    client.force_login(writer)
    response = client.post(url, mine)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Eddie Editor saved this article at" in html
    assert "My careful edit" in html
    assert "<del>Editor" in html
    article.refresh_from_db()
    assert article.body == "Editor's edit [@najmabadi2021]."


def test_resave_after_conflict_is_deliberate(client, article, writer, editor):
    """Having seen the conflict, the writer can save their version."""
    url = reverse("admin:articles_article_change", args=[article.pk])
    mine = form_data(article, body="Mine [@najmabadi2021].")
    client.force_login(editor)
    client.post(url, form_data(article, body="Theirs [@najmabadi2021]."))
    client.force_login(writer)
    refused = client.post(url, mine)
    resubmitted = dict(
        mine, base_version=refused.context["adminform"].form.data["base_version"]
    )
    assert client.post(url, resubmitted).status_code == 302
    article.refresh_from_db()
    assert article.body == "Mine [@najmabadi2021]."


# Scheduling ---------------------------------------------------------------------


def test_scheduled_publication_goes_live_at_its_time(approved_article, editor):
    """A scheduled go-live happens when the command runs after the time."""
    with time_machine.travel(NOON, tick=False):
        approved_article.publish(by=editor, at=NOON + datetime.timedelta(hours=2))
        approved_article.refresh_from_db()
        assert approved_article.publish_at is not None
        assert run_due_schedules() == []
    with time_machine.travel(NOON + datetime.timedelta(hours=2, minutes=1)):
        call_command("publish_scheduled")
    approved_article.refresh_from_db()
    assert approved_article.is_live
    assert approved_article.publish_at is None


def test_scheduled_withdrawal_happens_at_its_time(live_article, editor):
    """A scheduled withdrawal takes the page down at its time."""
    with time_machine.travel(NOON, tick=False):
        schedule_unpublish(
            live_article,
            by=editor,
            at=NOON + datetime.timedelta(days=1),
            reason="Superseded.",
        )
    with time_machine.travel(NOON + datetime.timedelta(days=1, seconds=1)):
        run_due_schedules()
    live_article.refresh_from_db()
    assert not live_article.is_live
    assert live_article.withdrawal_reason == "Superseded."


def test_scheduling_unapproved_revision_is_refused(article, editor):
    """Only an approved revision can be scheduled."""
    with pytest.raises(WorkflowError, match="Only an approved revision"):
        article.publish(by=editor, at=timezone.now() + datetime.timedelta(days=1))


def test_edit_after_scheduling_cancels_the_go_live(approved_article, writer, editor):
    """An edit voids the approval, so the scheduled go-live never happens."""
    with time_machine.travel(NOON, tick=False):
        approved_article.publish(by=editor, at=NOON + datetime.timedelta(hours=1))
        approved_article.body = "Edited after scheduling [@najmabadi2021]."
        approved_article.save_revision(by=writer)
    with time_machine.travel(NOON + datetime.timedelta(hours=2)):
        run_due_schedules()
    approved_article.refresh_from_db()
    assert not approved_article.is_live
    assert approved_article.publish_at is None


def test_change_list_shows_schedule_with_timezone(client, approved_article, editor):
    """The admin list shows the scheduled time with its timezone."""
    approved_article.publish(by=editor, at=timezone.now() + datetime.timedelta(days=2))
    client.force_login(editor)
    html = client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "live " in html
    assert timezone.localtime().strftime("%Z") in html


# Re-review ---------------------------------------------------------------------------


def test_next_review_due_uses_topic_interval(article, writer, reviewer, editor, topic):
    """Next review due is the last full review plus the reviewed topic's interval."""
    topic.review_interval_months = 12
    topic.save()
    article.topics.add(topic)
    article.save_revision(by=writer, change_class="update")
    article.submit_for_review(by=writer)
    article.approve(by=reviewer, change_class="update")
    with time_machine.travel(NOON, tick=False):
        article.publish(by=editor)
    article.refresh_from_db()
    assert article.next_review_due == article.last_reviewed.replace(
        year=article.last_reviewed.year + 1
    )


def test_overdue_filter_and_queryset(client, live_article, editor):
    """An overdue live article stays live and shows in the overdue filter."""
    Article.objects.filter(pk=live_article.pk).update(
        next_review_due=datetime.date(2020, 1, 1)
    )
    assert list(Article.objects.review_overdue()) == [live_article]
    assert Article.objects.live().filter(pk=live_article.pk).exists()
    client.force_login(editor)
    html = client.get(
        reverse("admin:articles_article_changelist") + "?due=overdue"
    ).content.decode()
    assert live_article.title in html


def test_due_within_30_days_filter(live_article):
    """Articles due in the next 30 days are found; later ones are not."""
    soon = timezone.localdate() + datetime.timedelta(days=10)
    Article.objects.filter(pk=live_article.pk).update(next_review_due=soon)
    assert list(Article.objects.review_due_within(30)) == [live_article]
    assert list(Article.objects.review_due_within(5)) == []


# Notifications --------------------------------------------------------------------


def recipients():
    """Everyone mailed; each message goes to one person, so none sees the others."""
    run_tasks()
    assert all(len(m.to) == 1 for m in mail.outbox)
    return [sorted(address for m in mail.outbox for address in m.to)]


def test_submission_mails_reviewers_not_submitter(
    article, writer, reviewer, django_capture_on_commit_callbacks
):
    """Reviewers hear about a submission; the submitter does not."""
    with django_capture_on_commit_callbacks(execute=True):
        article.submit_for_review(by=writer)
    assert recipients() == [["reviewer@example.org"]]


def test_decision_mails_authors_with_comment(
    article, writer, reviewer, django_capture_on_commit_callbacks
):
    """The authors get the decision and the reviewer's comment."""
    article.submit_for_review(by=writer)
    with django_capture_on_commit_callbacks(execute=True):
        article.request_changes(by=reviewer, comment="Cite the RCT.")
    assert recipients() == [["writer@example.org"]]
    assert "Cite the RCT." in mail.outbox[0].body


def test_publication_mails_authors_and_reviewer(
    approved_article, editor, django_capture_on_commit_callbacks
):
    """Authors and the approving reviewer hear about publication; the editor not."""
    with django_capture_on_commit_callbacks(execute=True):
        approved_article.publish(by=editor)
    assert recipients() == [["reviewer@example.org", "writer@example.org"]]


def test_nobody_is_mailed_about_their_own_action(
    db, reviewer, editor, reference, django_capture_on_commit_callbacks
):
    """An editor who writes and publishes hears only of the reviewer's decision."""
    article = create_article(editor)
    with django_capture_on_commit_callbacks(execute=True):
        article.submit_for_review(by=editor)
        article.approve(by=reviewer)
        article.publish(by=editor)
    run_tasks()
    to_editor = [m.subject for m in mail.outbox if "editor@example.org" in m.to]
    assert to_editor == [f"[Approved] {article.title}"]


def test_review_reminder_digest(live_article, reviewer, editor, writer):
    """The daily digest goes to reviewers and editors, listing overdue articles."""
    Article.objects.filter(pk=live_article.pk).update(
        next_review_due=datetime.date(2020, 1, 1)
    )
    call_command("send_review_reminders")
    assert recipients() == [["editor@example.org", "reviewer@example.org"]]
    assert live_article.title in mail.outbox[0].body


# Dashboard ------------------------------------------------------------------------


def test_dashboard_shows_queue_counts_and_chart(client, article, writer, reviewer):
    """The dashboard lists my queue, counts by state and draws an SVG chart."""
    article.submit_for_review(by=writer)
    client.force_login(reviewer)
    html = client.get(reverse("admin:articles_article_dashboard")).content.decode()
    assert article.title in html
    assert "awaiting your review" in html
    assert "<svg" in html
    assert "In review" in html


def test_dashboard_query_count_is_constant(
    client, writer, reviewer, reference, django_assert_max_num_queries
):
    """The dashboard runs a bounded number of queries however many articles exist."""
    for n in range(40):
        article = create_article(writer, slug=f"a-{n}", title=f"A {n}")
        if n % 2:
            article.submit_for_review(by=writer)
    client.force_login(reviewer)
    # 18: the evidence alerts box adds its findings and its sources' last checks;
    # 22: the reader reports waiting for re-review and the reader feedback box.
    with django_assert_max_num_queries(22):
        response = client.get(reverse("admin:articles_article_dashboard"))
    assert response.status_code == 200


# Shareable preview ----------------------------------------------------------------


@pytest.fixture
def preview_link(article, editor):
    return PreviewLink.objects.create(
        revision=article.current_revision,
        created_by=editor,
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )


def test_preview_link_shows_exact_revision_without_login(client, preview_link):
    """Anyone with the link reads that revision, never cached or indexed."""
    response = client.get(preview_link.get_absolute_url())
    assert response.status_code == 200
    assert b"Mucus changes" in response.content
    assert response["Cache-Control"] == "no-store"
    assert "noindex" in response["X-Robots-Tag"]


def test_tampered_preview_token_is_403(client, preview_link):
    """A token with a changed signature is refused."""
    token = preview_link.token[:-2] + (
        "AA" if preview_link.token[-2:] != "AA" else "BB"
    )
    response = client.get(reverse("articles:preview", args=[token]))
    assert response.status_code == 403


def test_forged_token_for_other_link_is_403(client, preview_link):
    """A token signed with another key is refused."""
    forged = signing.dumps(
        {"link": preview_link.pk}, key="not-our-key", salt="articles.preview"
    )
    assert client.get(reverse("articles:preview", args=[forged])).status_code == 403


def test_expired_preview_is_410(client, preview_link):
    """After expiry the link answers 410 with a clear page."""
    with time_machine.travel(timezone.now() + datetime.timedelta(days=8)):
        response = client.get(preview_link.get_absolute_url())
    assert response.status_code == 410
    assert b"expired" in response.content


def test_revoked_preview_is_410(client, preview_link, editor):
    """A revoked link stops working at once."""
    client.force_login(editor)
    url = reverse(
        "admin:articles_article_preview_links", args=[preview_link.revision.article_id]
    )
    client.post(url, {"revoke": preview_link.pk})
    client.logout()
    response = client.get(preview_link.get_absolute_url())
    assert response.status_code == 410
    assert b"revoked" in response.content


def test_writer_cannot_create_preview_links(client, article, writer):
    """Only editors and reviewers may share previews."""
    client.force_login(writer)
    url = reverse("admin:articles_article_preview_links", args=[article.pk])
    assert client.post(url, {"days": 7}).status_code == 403
    assert not PreviewLink.objects.exists()


def test_preview_link_creation_defaults_to_seven_days(client, article, reviewer):
    """A reviewer creates a link that expires in 7 days."""
    client.force_login(reviewer)
    url = reverse("admin:articles_article_preview_links", args=[article.pk])
    client.post(url, {"note": "patient panel"})
    link = PreviewLink.objects.get()
    assert (link.expires_at - link.created_at).days == 7
