"""The dashboard: what waits for each role, counts that match the list, the
calendar, the median time to decision, and a constant number of queries."""

import datetime
import io
import re

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles.admin.dashboard import humane_duration, median_hours_to_decision
from articles.models import Article, Notification
from tests.conftest import create_article, make_user

DASHBOARD = "admin:articles_article_dashboard"
NOON = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)


def waiting(client, user) -> dict[str, str]:
    """Each "waiting for you" group's key with the text of its list."""
    client.force_login(user)
    context = client.get(reverse(DASHBOARD)).context
    return {
        g["key"]: " | ".join(a.title for a in g["items"]) for g in context["waiting"]
    }


@pytest.mark.parametrize(
    "hours, expected",
    [
        (None, ""),
        (0.001, "under a minute"),
        (1 / 60, "1 minute"),
        (0.5, "30 minutes"),
        (0.999, "1 hour"),
        (3.2, "3 hours"),
        (47, "47 hours"),
        (48, "2 days"),
        (24 * 9.6, "10 days"),
    ],
)
def test_humane_duration(hours, expected):
    """Durations read as people say them, with real plurals."""
    assert humane_duration(hours) == expected


def test_median_time_to_decision_counts_hours(db, writer, reviewer, reference):
    """Submitted at noon, decided at 15:00 and 17:00 the next day: the median
    of 3 and 29 hours is 16 hours, shown as such (not "0 minutes")."""
    first = create_article(writer, slug="one", title="One")
    second = create_article(writer, slug="two", title="Two")
    with time_machine.travel(NOON, tick=False):
        first.submit_for_review(by=writer)
        second.submit_for_review(by=writer)
    with time_machine.travel(NOON + datetime.timedelta(hours=3), tick=False):
        first.approve(by=reviewer)
    with time_machine.travel(NOON + datetime.timedelta(hours=29), tick=False):
        second.request_changes(by=reviewer, comment="Cite the trial.")
        hours, counted = median_hours_to_decision()
    assert (hours, counted) == (16, 2)
    assert humane_duration(hours) == "16 hours"


def test_median_uses_the_latest_submission(db, writer, reviewer, reference):
    """After a resubmission, the wait runs from the new submission."""
    article = create_article(writer)
    with time_machine.travel(NOON, tick=False):
        article.submit_for_review(by=writer)
    with time_machine.travel(NOON + datetime.timedelta(days=1), tick=False):
        article.request_changes(by=reviewer, comment="Cite it.")
    with time_machine.travel(NOON + datetime.timedelta(days=2), tick=False):
        article.submit_for_review(by=writer)
    with time_machine.travel(NOON + datetime.timedelta(days=4), tick=False):
        article.approve(by=reviewer)
        hours, counted = median_hours_to_decision()
    assert (hours, counted) == (36, 2)  # 24 and 48 hours


def test_dashboard_shows_the_median_humanely(client, writer, reviewer, reference):
    """The page says "3 hours", never "0 minutes" for a three-hour wait."""
    article = create_article(writer)
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(hours=3), tick=False):
        article.submit_for_review(by=writer)
    article.approve(by=reviewer)
    client.force_login(reviewer)
    html = client.get(reverse(DASHBOARD)).content.decode()
    assert re.search(r'class="median-time">3 hours<', html)


def test_reviewer_sees_their_queue_not_their_own(db, client, writer, reference):
    """A reviewer's queue holds articles in review by others, not their own."""
    reviewer = make_user("doc", "Medical reviewers", credentials="MD")
    theirs = create_article(writer, slug="theirs", title="By the writer")
    own = create_article(writer, slug="own", title="Co-written by the reviewer")
    own.authors.add(reviewer.contributor)
    theirs.submit_for_review(by=writer)
    own.submit_for_review(by=writer)
    assert waiting(client, reviewer)["review"] == "By the writer"


def test_editor_sees_approved_and_scheduled(
    client, approved_article, writer, reviewer, editor, reference
):
    """Editors see what waits to be published, and what is scheduled."""
    later = create_article(writer, slug="later", title="Goes live later")
    later.submit_for_review(by=writer)
    later.approve(by=reviewer)
    later.publish(by=editor, at=timezone.now() + datetime.timedelta(days=3))
    groups = waiting(client, editor)
    assert groups["publish"] == f"{approved_article.title} | Goes live later"
    assert "review" not in groups and "changes" not in groups


def test_writer_sees_changes_requested_and_drafts(
    client, article, writer, reviewer, other_writer, reference
):
    """Writers see their articles sent back and their drafts, not others'."""
    article.submit_for_review(by=writer)
    article.request_changes(by=reviewer, comment="Cite the RCT.")
    create_article(writer, slug="draft", title="My draft")
    create_article(other_writer, slug="other", title="Not mine")
    groups = waiting(client, writer)
    assert groups == {"changes": article.title, "drafts": "My draft"}
    html = client.get(reverse(DASHBOARD)).content.decode()
    assert "Cite the RCT." in html
    assert "Not mine" not in html


def test_someone_with_several_roles_sees_each(client, db, writer, reference):
    """A superuser holds every role and sees every group."""
    boss = make_user("boss", display_name="Bo Boss", credentials="MD")
    boss.is_superuser = True
    boss.save()
    create_article(boss, slug="boss-draft", title="Boss draft")
    assert set(waiting(client, boss)) == {
        "review",
        "rereview",
        "reader-rereview",
        "publish",
        "changes",
        "drafts",
    }


def result_count(client, url) -> int:
    return client.get(url).context["cl"].result_count


@pytest.mark.parametrize("username", ["writer", "reviewer", "editor"])
def test_counts_equal_what_the_linked_list_shows(
    client, username, writer, other_writer, reviewer, editor, reference
):
    """Each state's count equals the rows the article list shows at its link."""
    mine = create_article(writer, slug="mine", title="Mine")
    mine.submit_for_review(by=writer)
    create_article(writer, slug="draft", title="Draft")
    other = create_article(other_writer, slug="other", title="Other")
    other.submit_for_review(by=other_writer)
    other.approve(by=reviewer)
    user = {"writer": writer, "reviewer": reviewer, "editor": editor}[username]
    client.force_login(user)
    context = client.get(reverse(DASHBOARD)).context
    for state in context["state_counts"]:
        assert state["count"] == result_count(client, state["url"]), state
    for group in context["waiting"]:
        if not group["more"]:
            assert len(group["items"]) == result_count(client, group["url"]), group


def test_calendar_shows_go_lives_and_reviews_due(
    client, live_article, writer, reviewer, editor, reference
):
    """Scheduled go-lives and reviews due appear in their week; beyond eight
    weeks nothing does."""
    today = timezone.localdate()
    Article.objects.filter(pk=live_article.pk).update(
        next_review_due=today + datetime.timedelta(days=20)
    )
    soon = create_article(writer, slug="soon", title="Soon live")
    soon.submit_for_review(by=writer)
    soon.approve(by=reviewer)
    soon.publish(by=editor, at=timezone.now() + datetime.timedelta(days=1))
    far = create_article(writer, slug="far", title="Far away")
    far.submit_for_review(by=writer)
    far.approve(by=reviewer)
    far.publish(by=editor, at=timezone.now() + datetime.timedelta(weeks=10))
    client.force_login(editor)
    weeks = client.get(reverse(DASHBOARD)).context["weeks"]
    events = [(e["kind"], e["article"].title) for w in weeks for e in w["events"]]
    assert ("golive", "Soon live") in events
    assert ("review", live_article.title) in events
    assert not any(title == "Far away" for _, title in events)
    for week in weeks:
        for event in week["events"]:
            assert week["start"] <= event["day"] <= week["end"]


def test_calendar_lists_scheduled_withdrawals(client, live_article, editor):
    """A scheduled withdrawal is on the calendar."""
    from articles.workflow import schedule_unpublish

    schedule_unpublish(
        live_article,
        editor,
        timezone.now() + datetime.timedelta(days=9),
        "Superseded.",
    )
    client.force_login(editor)
    html = client.get(reverse(DASHBOARD)).content.decode()
    assert re.search(r'agenda-withdrawal">\s*<time datetime="\d{4}-\d\d-\d\dT', html)


def test_a_late_schedule_is_flagged(client, approved_article, editor):
    """A go-live whose time passed unpublished says the scheduler is not running."""
    approved_article.publish(by=editor, at=timezone.now() + datetime.timedelta(hours=1))
    client.force_login(editor)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2)):
        html = client.get(reverse(DASHBOARD)).content.decode()
    assert "Some schedules are late" in html


def make_many(writer, reviewer, editor, n: int) -> None:
    for i in range(n):
        article = create_article(writer, slug=f"a-{i}", title=f"A {i}")
        if i % 4 == 1:
            article.submit_for_review(by=writer)
        elif i % 4 == 2:
            article.submit_for_review(by=writer)
            article.approve(by=reviewer)
        elif i % 4 == 3:
            article.submit_for_review(by=writer)
            article.request_changes(by=reviewer, comment="Fix it.")


@pytest.mark.parametrize("n", [4, 40])
def test_queries_do_not_grow_with_articles(
    client, writer, reviewer, editor, reference, django_assert_max_num_queries, n
):
    """For a user with every role the page runs at most 24 queries, with 4
    articles or 40 (notifications, the evidence alerts, the reader reports
    waiting for re-review, the reader feedback box and what readers did not
    find included)."""
    make_many(writer, reviewer, editor, n)
    boss = make_user("boss", display_name="Bo Boss", credentials="MD")
    boss.is_superuser = True
    boss.save()
    create_article(boss, slug="boss-draft", title="Boss draft")
    client.force_login(boss)
    with django_assert_max_num_queries(24):
        response = client.get(reverse(DASHBOARD))
    assert response.status_code == 200
    assert len(response.context["waiting"]) == 6


def test_demo_gives_every_role_something_waiting(client, db):
    """seed_demo (run twice, as `make run` does) leaves each demo role work on
    the dashboard and a few unread notifications, without duplicates."""
    call_command("seed_demo", stdout=io.StringIO())
    notes = Notification.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert Notification.objects.count() == notes
    expected = {"reviewer": "review", "editor": "publish", "writer": "changes"}
    for username, key in expected.items():
        user = User.objects.get(username=username)
        assert waiting(client, user)[key], username
        unread = Notification.objects.filter(recipient=user, read_at=None)
        assert 1 <= unread.count() <= 5, username
    weeks = client.get(reverse(DASHBOARD)).context["weeks"]
    kinds = {e["kind"] for w in weeks for e in w["events"]}
    assert {"golive", "review"} <= kinds
