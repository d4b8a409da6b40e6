"""Withdrawing with a replacement: the old address redirects (301) to the
replacement while it is live, and answers 410 Gone otherwise, also through
the page cache."""

import pytest
from django.urls import reverse

from articles.models import Article, AuditEntry
from articles.workflow import WorkflowError, unpublish
from tests.conftest import create_article


def go_live(article, writer, reviewer, editor, commit):
    article.submit_for_review(by=writer)
    article.approve(by=reviewer)
    with commit():
        article.publish(by=editor)
    return article


@pytest.fixture
def replacement(live_article, writer, reviewer, editor, commit):
    newer = create_article(writer, slug="cervical-mucus-2026", title="Mucus, revised")
    return go_live(newer, writer, reviewer, editor, commit)


def test_withdrawn_with_a_replacement_redirects_permanently(
    client, live_article, replacement, editor, commit
):
    """The old address answers 301 to the replacement."""
    with commit():
        unpublish(
            live_article, by=editor, reason="Superseded.", replaced_by=replacement
        )
    response = client.get(live_article.get_absolute_url())
    assert response.status_code == 301
    assert response["Location"] == replacement.get_absolute_url()
    live_article.refresh_from_db()
    assert live_article.replaced_by == replacement
    entry = AuditEntry.objects.filter(article=live_article, action="unpublish").get()
    assert "Mucus, revised" in entry.message


def test_withdrawn_without_a_replacement_is_gone(client, live_article, editor):
    """Without a replacement the old address answers 410 Gone."""
    live_article.unpublish(by=editor, reason="Out of date.")
    assert client.get(live_article.get_absolute_url()).status_code == 410


def test_an_article_cannot_replace_itself(live_article, editor):
    """Naming the withdrawn article as its own replacement is refused."""
    with pytest.raises(WorkflowError):
        unpublish(live_article, by=editor, reason="x", replaced_by=live_article)
    live_article.refresh_from_db()
    assert live_article.is_live


def test_a_replacement_must_be_live(live_article, article_in_draft, editor):
    """A draft cannot replace a withdrawn page."""
    with pytest.raises(WorkflowError, match="not live"):
        unpublish(live_article, by=editor, reason="x", replaced_by=article_in_draft)


@pytest.fixture
def article_in_draft(writer, reference):
    return create_article(writer, slug="a-draft", title="A draft")


def test_the_redirect_follows_the_replacement_through_the_page_cache(
    client, live_article, replacement, writer, reviewer, editor, commit
):
    """Cached pages never outlive a change: the old address's cached answer is
    purged when it is withdrawn and whenever its replacement comes or goes."""
    old_url = live_article.get_absolute_url()
    assert client.get(old_url).status_code == 200
    assert client.get(old_url)["X-Page-Cache"] == "hit"
    with commit():
        unpublish(
            live_article, by=editor, reason="Superseded.", replaced_by=replacement
        )
    assert client.get(old_url).status_code == 301
    with commit():
        replacement.unpublish(by=editor, reason="Under revision.")
    gone = client.get(old_url)
    assert gone.status_code == 410
    assert client.get(old_url)["X-Page-Cache"] == "hit"
    go_live(replacement, writer, reviewer, editor, commit)
    again = client.get(old_url)
    assert again.status_code == 301
    assert again["Location"] == replacement.get_absolute_url()


def test_the_withdraw_form_lists_live_articles_but_not_itself(
    client, live_article, replacement, article_in_draft, editor
):
    """The replacement choice offers live articles, never the one withdrawn."""
    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_article_change", args=[live_article.pk]),
        {"CHANGE_FORM-action": "unpublish", "_selected_action": live_article.pk},
    )
    choices = response.context["form"].fields["replaced_by"].queryset
    assert list(choices) == [replacement]


def test_withdrawing_through_the_admin_names_the_replacement(
    client, live_article, replacement, editor
):
    """The withdraw page stores the chosen replacement."""
    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_article_change", args=[live_article.pk]),
        {
            "CHANGE_FORM-action": "unpublish",
            "_selected_action": live_article.pk,
            "confirm": "1",
            "reason": "Superseded by the 2026 guide.",
            "replaced_by": replacement.pk,
        },
        follow=True,
    )
    assert any("1 article withdrawn" in str(m) for m in response.context["messages"])
    live_article.refresh_from_db()
    assert live_article.status == Article.Status.WITHDRAWN
    assert live_article.replaced_by == replacement


def test_a_scheduled_withdrawal_keeps_its_replacement(
    client, live_article, replacement, editor, commit
):
    """A withdrawal scheduled with a replacement redirects once carried out."""
    import datetime

    import time_machine
    from django.utils import timezone

    from articles.workflow import run_due_schedules, schedule_unpublish

    at = timezone.now() + datetime.timedelta(hours=1)
    schedule_unpublish(
        live_article, by=editor, at=at, reason="Superseded.", replaced_by=replacement
    )
    with time_machine.travel(at + datetime.timedelta(minutes=1)), commit():
        run_due_schedules()
    response = client.get(live_article.get_absolute_url())
    assert response.status_code == 301
    assert response["Location"] == replacement.get_absolute_url()


def test_scheduling_a_withdrawal_in_the_admin_names_the_replacement(
    client, live_article, replacement, editor
):
    """The schedule-withdrawal page asks for the time first, then the
    reason and the replacement, and stores the replacement."""
    import datetime

    from django.utils import timezone

    client.force_login(editor)
    url = reverse("admin:articles_article_change", args=[live_article.pk])
    action = {
        "CHANGE_FORM-action": "schedule_withdrawal",
        "_selected_action": live_article.pk,
    }
    page = client.post(url, action)
    assert list(page.context["form"].fields) == ["at", "reason", "replaced_by"]
    at = timezone.localtime() + datetime.timedelta(days=2)
    client.post(
        url,
        {
            **action,
            "confirm": "1",
            "at": at.strftime("%Y-%m-%dT%H:%M"),
            "reason": "Superseded.",
            "replaced_by": replacement.pk,
        },
    )
    live_article.refresh_from_db()
    assert live_article.unpublish_at is not None
    assert live_article.replaced_by == replacement


def test_cancelling_a_scheduled_withdrawal_drops_its_replacement(
    live_article, replacement, editor
):
    """A cancelled withdrawal leaves no replacement behind for a later one."""
    import datetime

    from django.utils import timezone

    from articles.workflow import cancel_schedule, schedule_unpublish

    at = timezone.now() + datetime.timedelta(hours=1)
    schedule_unpublish(
        live_article, by=editor, at=at, reason="Superseded.", replaced_by=replacement
    )
    cancel_schedule(live_article, by=editor)
    live_article.refresh_from_db()
    assert live_article.replaced_by is None
