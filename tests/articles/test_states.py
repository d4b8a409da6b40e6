"""Clear states: the change form offers only what is valid now and for this
user, editing an article in review asks first, messages count properly and
name people, restore asks why, and the history shows each decision once."""

from django.urls import reverse

from articles.admin.actions import WorkflowActions
from articles.admin.states import workflow_menu
from articles.models import Article, AuditEntry
from tests.conftest import META, SUMMARY

Status = Article.Status


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def menu(article, user):
    article = Article.objects.prefetch_related("authors").get(pk=article.pk)
    return [item.action for item in workflow_menu(article, user)]


def offered(client, article):
    """The workflow buttons the change form shows."""
    html = client.get(change_url(article)).content.decode()
    return [
        name
        for name in WorkflowActions.actions
        if f'name="CHANGE_FORM-action" value="{name}"' in html
    ]


def form_data(article, **changes):
    data = {
        "title": article.title,
        "slug": article.slug,
        "summary": SUMMARY,
        "body": article.body,
        "meta_description": META,
        "medical_audience": "patient",
        "authors": [a.pk for a in article.authors.all()],
        "references": [r.pk for r in article.references.all()],
        "base_version": article.edit_version,
        "_save": "Save",
    }
    data.update(changes)
    return data


def test_a_draft_offers_submit_and_nothing_else(article, writer, editor):
    """No “Withdraw” on a draft: its writer and an editor may only submit it."""
    assert menu(article, writer) == ["submit_for_review"]
    assert menu(article, editor) == ["submit_for_review"]


def test_in_review_the_reviewer_decides_and_nobody_submits(
    article, writer, reviewer, editor
):
    """No “Submit” while in review; the reviewer sees approve and request changes."""
    article.submit_for_review(by=writer)
    assert menu(article, reviewer) == ["approve", "request_changes"]
    assert menu(article, writer) == []
    assert menu(article, editor) == []


def test_an_author_who_reviews_is_not_offered_the_decision(article, writer, reviewer):
    """A reviewer who is an author of the article gets no approve button."""
    article.authors.add(reviewer.contributor)
    article.submit_for_review(by=writer)
    assert menu(article, reviewer) == []


def test_approved_offers_publish_to_editors_only(approved_article, writer, editor):
    """Publishing is offered to an editor once approved, never to the writer."""
    assert menu(approved_article, editor) == ["publish", "schedule_publication"]
    assert menu(approved_article, writer) == []


def test_live_offers_withdraw_then_cancel_once_scheduled(live_article, writer, editor):
    """A live article can be withdrawn; a scheduled withdrawal can be cancelled."""
    import datetime

    from django.utils import timezone

    from articles.workflow import schedule_unpublish

    assert menu(live_article, editor) == ["unpublish", "schedule_withdrawal"]
    assert menu(live_article, writer) == []
    schedule_unpublish(
        live_article,
        by=editor,
        at=timezone.now() + datetime.timedelta(days=1),
        reason="Out of date.",
    )
    assert menu(live_article, editor) == ["unpublish", "cancel_schedule"]


def test_change_form_shows_only_the_valid_buttons(client, article, writer, reviewer):
    """The change form renders the menu: the reviewer's buttons, no Submit."""
    article.submit_for_review(by=writer)
    client.force_login(reviewer)
    assert offered(client, article) == ["approve", "request_changes"]
    client.force_login(writer)
    assert offered(client, article) == []


def test_change_list_offers_only_permitted_actions(client, article, writer, reviewer):
    """The change list's action menu lists what the user has permission for."""
    url = reverse("admin:articles_article_changelist")
    client.force_login(writer)
    choices = dict(client.get(url).context["action_form"].fields["action"].choices)
    assert "submit_for_review" in choices
    assert not {"approve", "publish", "unpublish"} & set(choices)
    client.force_login(reviewer)
    choices = dict(client.get(url).context["action_form"].fields["action"].choices)
    assert {"approve", "request_changes"} <= set(choices)
    assert not {"submit_for_review", "publish"} & set(choices)


def test_messages_count_with_real_plurals(client, writer, reference):
    """“1 article submitted”, “2 articles submitted”: never “article(s)”."""
    from tests.conftest import create_article

    one = create_article(writer)
    two = create_article(writer, slug="second", title="Second")
    three = create_article(writer, slug="third", title="Third")
    client.force_login(writer)
    url = reverse("admin:articles_article_changelist")
    first = client.post(
        url,
        {"action": "submit_for_review", "_selected_action": [one.pk], "index": 0},
        follow=True,
    )
    second = client.post(
        url,
        {
            "action": "submit_for_review",
            "_selected_action": [two.pk, three.pk],
            "index": 0,
        },
        follow=True,
    )
    texts = [str(m) for r in (first, second) for m in r.context["messages"]]
    assert any(t.startswith("1 article submitted for review") for t in texts)
    assert any(t.startswith("2 articles submitted for review") for t in texts)
    assert not any("(s)" in t for t in texts)


def test_unconfirmed_save_of_an_article_in_review_is_refused_keeping_the_text(
    client, article, writer
):
    """Saving an article in review without “Edit anyway” changes nothing and
    shows the form again with the writer's text and the reason."""
    article.submit_for_review(by=writer)
    client.force_login(writer)
    response = client.post(
        change_url(article), form_data(article, body="My careful new text.")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "returns it to draft and withdraws the review request" in html
    assert "My careful new text." in html
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW
    assert article.revisions.count() == 1


def test_confirmed_save_of_an_article_in_review_returns_it_to_draft(
    client, article, writer
):
    """With “Edit anyway” the save goes through and the review is withdrawn."""
    article.submit_for_review(by=writer)
    client.force_login(writer)
    response = client.post(
        change_url(article),
        form_data(
            article, body="New text [@najmabadi2021].", confirm_edit_in_review="1"
        ),
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Status.DRAFT
    assert AuditEntry.objects.filter(article=article, action="review_voided").exists()


def test_the_change_form_of_an_article_in_review_asks_first(client, article, writer):
    """The notice and its confirmation are on the form of an article in review."""
    client.force_login(writer)
    assert "data-review-lock" not in client.get(change_url(article)).content.decode()
    article.submit_for_review(by=writer)
    html = client.get(change_url(article)).content.decode()
    assert "data-review-lock" in html
    assert 'name="confirm_edit_in_review"' in html


def test_restore_asks_for_a_note_first(client, live_article, writer, editor):
    """The restore page shows what comes back; without a note nothing happens."""
    live_article.body = "Second version [@najmabadi2021]."
    live_article.save()
    live_article.save_revision(by=writer)
    client.force_login(editor)
    url = reverse("admin:articles_article_restore", args=[live_article.pk, 1])
    page = client.get(url)
    assert page.status_code == 200
    assert "Mucus changes" in page.content.decode()
    refused = client.post(url, {"note": "  "})
    assert refused.status_code == 200
    assert live_article.revisions.count() == 2


def test_restore_keeps_its_note_in_the_history(client, live_article, writer, editor):
    """The note is stored with the restore's audit entry and the new revision."""
    live_article.body = "Second version [@najmabadi2021]."
    live_article.save()
    live_article.save_revision(by=writer)
    client.force_login(editor)
    url = reverse("admin:articles_article_restore", args=[live_article.pk, 1])
    response = client.post(url, {"note": "The new wording overstated the effect."})
    assert response.status_code == 302
    live_article.refresh_from_db()
    assert "overstated" in live_article.current_revision.change_note
    entry = AuditEntry.objects.get(article=live_article, action="restore")
    assert "overstated" in entry.message


def test_history_shows_each_decision_once_with_names(
    client, live_article, editor, reviewer
):
    """An approval is one timeline entry, and people appear by their names."""
    client.force_login(editor)
    url = reverse("admin:articles_article_history", args=[live_article.pk])
    response = client.get(url)
    events = response.context["events"]
    decisions = [e for e in events if "Approved" in e["text"]]
    assert len(decisions) == 1
    html = response.content.decode()
    assert "Dr Rhea Reviewer, MD, FACOG" in html
    assert "Eddie Editor" in html


def test_restore_and_action_pages_use_the_admin_layout(client, live_article, editor):
    """The restore and withdraw pages extend the desk's base, with breadcrumbs."""
    client.force_login(editor)
    responses = [
        client.get(
            reverse("admin:articles_article_restore", args=[live_article.pk, 1])
        ),
        client.post(
            change_url(live_article),
            {"CHANGE_FORM-action": "unpublish", "_selected_action": live_article.pk},
        ),
    ]
    for response in responses:
        assert "admin/editorial_page.html" in [t.name for t in response.templates]
        assert '<ol class="breadcrumbs">' in response.content.decode()
