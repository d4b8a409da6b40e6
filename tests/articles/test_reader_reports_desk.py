"""Readers' reports in the desk: the queue for the site and per article, the
passage highlighted in the revision read, the steps, a confirmed report that
becomes a re-review, and the usefulness box on the dashboard."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import reader_reports
from articles.admin.usefulness import rate, sparkline
from articles.models import Article, PageVotes, ReaderReport
from tests.conftest import create_article, make_user

CHANGELIST = "admin:articles_readerreport_changelist"
DASHBOARD = "admin:articles_article_dashboard"


@pytest.fixture
def live(live_in_topic):
    return live_in_topic


def make_report(article, **fields) -> ReaderReport:
    fields = {"category": "out_of_date", "quote": "Mucus changes", **fields}
    return reader_reports.file_report(article, article.live_revision, **fields)


def step(client, report, name):
    return client.post(
        reverse("admin:articles_readerreport_step", args=[report.pk]), {"step": name}
    )


def test_the_report_shows_the_passage_highlighted_in_the_revision_read(
    client, live, reviewer
):
    report = make_report(live, quote="mucus   CHANGES", text="Since 2024 <b>no</b>.")
    client.force_login(reviewer)
    html = client.get(
        reverse("admin:articles_readerreport_change", args=[report.pk])
    ).text
    assert "<mark>Mucus changes</mark>" in html
    assert live.live_revision.content_hash[:12] in html
    assert "which is live now" in html
    assert "Since 2024 &lt;b&gt;no&lt;/b&gt;." in html
    assert "Confirm: re-review now" in html


def test_a_quote_not_in_the_text_is_shown_as_typed(client, live, reviewer):
    report = make_report(live, quote="words that are nowhere")
    client.force_login(reviewer)
    html = client.get(
        reverse("admin:articles_readerreport_change", args=[report.pk])
    ).text
    assert "<mark>" not in html
    assert "words that are nowhere" in html
    assert "Not found in the text of revision" in html


def test_the_queue_filters_by_state_category_and_article(
    client, live, writer, reviewer, editor, reference
):
    other = create_article(writer, slug="other-page", title="Other page")
    other.submit_for_review(by=writer)
    other.approve(by=reviewer)
    other.publish(by=editor)
    other.refresh_from_db()
    first = make_report(live, category="inaccurate")
    make_report(live, category="broken_link")
    make_report(other, category="inaccurate")
    reader_reports.dismiss(first, editor)
    client.force_login(editor)

    def count(query: str) -> int:
        response = client.get(reverse(CHANGELIST) + query)
        return response.context["cl"].result_count

    assert count("") == 2  # open ones by default
    assert count("?state=all") == 3
    assert count("?state=dismissed") == 1
    assert count("?state=all&category__exact=inaccurate") == 2
    assert count(f"?state=all&article={live.pk}") == 2
    assert count(f"?article={other.pk}") == 1
    assert count("?article=nonsense") == 0
    assert count("?article=987654") == 0
    assert count("?article=" + "9" * 40) == 0
    assert client.get(reverse(CHANGELIST) + "?q=" + "x\x00y").status_code in {200, 400}


def test_confirming_makes_the_page_due_for_re_review_in_the_reviewers_queue(
    client, live, writer, reviewer, editor, commit
):
    live.next_review_due = timezone.localdate() + datetime.timedelta(days=300)
    Article.objects.filter(pk=live.pk).update(next_review_due=live.next_review_due)
    report = make_report(live, quote="Mucus changes")
    client.force_login(editor)
    response = step(client, report, "confirm")
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReaderReport.State.TRIAGED
    assert report.confirmed_by == editor and report.confirmed_at
    live.refresh_from_db()
    assert live.next_review_due == timezone.localdate()

    # The reviewer who approved the page finds it waiting, with the passage.
    client.force_login(reviewer)
    groups = {
        group["key"]: group
        for group in client.get(reverse(DASHBOARD)).context["waiting"]
    }
    assert [a.pk for a in groups["reader-rereview"]["items"]] == [live.pk]
    assert "out of date" in groups["reader-rereview"]["items"][0].reason
    review = client.get(reverse("admin:articles_article_review", args=[live.pk]))
    assert "Readers reported a problem" in review.text
    assert "<mark>Mucus changes</mark>" in review.text

    # The writer fixes it; once a reviewed revision is live, it is actioned.
    live.body = "Cervical mucus changes through the cycle [@najmabadi2021]."
    live.save()
    revision = live.save_revision(
        by=writer,
        change_class="correction",
        correction_note="We previously said mucus changes; it changes in a cycle.",
    )
    live.submit_for_review(by=writer)
    live.approve(by=reviewer, change_class="correction")
    with commit():
        live.publish(by=editor)
    report.refresh_from_db()
    assert report.state == ReaderReport.State.ACTIONED
    assert report.actioned_in == revision
    assert not reader_reports.rereviews_for(reviewer).exists()


def test_the_steps_follow_the_states(client, live, editor):
    report = make_report(live, email="reader@example.org")
    client.force_login(editor)
    step(client, report, "triage")
    report.refresh_from_db()
    assert report.state == "triaged" and report.triaged_by == editor
    step(client, report, "replied")
    report.refresh_from_db()
    assert report.email == "" and report.replied_at
    step(client, report, "dismiss")
    report.refresh_from_db()
    assert report.state == "dismissed"
    # A closed report is not confirmed afterwards, and a bad step says so.
    response = client.post(
        reverse("admin:articles_readerreport_step", args=[report.pk]),
        {"step": "confirm"},
        follow=True,
    )
    assert "Nothing changed" in response.text
    assert report.confirmed_at is None
    response = client.post(
        reverse("admin:articles_readerreport_step", args=[report.pk]),
        {"step": "nonsense"},
        follow=True,
    )
    assert "Choose what to do" in response.text


def test_writers_see_reports_on_their_articles_and_change_nothing(
    client, live, writer, other_writer
):
    report = make_report(live)
    url = reverse("admin:articles_readerreport_change", args=[report.pk])
    client.force_login(writer)
    assert client.get(url).status_code == 200
    assert "Confirm: re-review now" not in client.get(url).text
    assert step(client, report, "confirm").status_code == 403
    report.refresh_from_db()
    assert report.confirmed_at is None
    client.force_login(other_writer)
    assert client.get(reverse(CHANGELIST)).context["cl"].result_count == 0
    assert step(client, report, "dismiss").status_code == 404


def test_nobody_adds_a_report_in_the_desk(client, editor):
    client.force_login(editor)
    response = client.get(reverse("admin:articles_readerreport_add"))
    assert response.status_code == 403


def test_readers_and_password_only_staff_cannot_reach_the_queue(client, live, editor):
    report = make_report(live)
    url = reverse("admin:articles_readerreport_step", args=[report.pk])
    response = client.post(url, {"step": "dismiss"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    report.refresh_from_db()
    assert report.state == "new"


def test_the_article_page_links_to_its_own_queue(client, live, editor):
    make_report(live)
    client.force_login(editor)
    html = client.get(reverse("admin:articles_article_change", args=[live.pk])).text
    assert f"?article={live.pk}" in html
    assert "1 open reader report(s)" in html


# The usefulness box --------------------------------------------------------------


def test_the_dashboard_shows_usefulness_and_its_trend(client, live, editor, writer):
    today = timezone.localdate()
    for days_ago, yes, no in [(1, 2, 6), (10, 1, 3), (40, 8, 2)]:
        PageVotes.objects.create(
            article=live,
            day=today - datetime.timedelta(days=days_ago),
            yes=yes,
            no=no,
        )
    make_report(live)
    client.force_login(editor)
    box = client.get(reverse(DASHBOARD)).context["usefulness"]
    assert box["rate"] == 25 and box["answers"] == 12
    assert box["trend"] == 25 - 80
    assert box["new_reports"] == 1
    [row] = box["articles"]
    assert row["pk"] == live.pk and row["open_reports"] == 1
    assert row["spark"]["points"]
    html = client.get(reverse(DASHBOARD)).text
    assert "Reader feedback" in html and "▼ 55 points" in html
    # Writers do not get the box.
    client.force_login(writer)
    assert client.get(reverse(DASHBOARD)).context["usefulness"] is None


def test_usefulness_figures():
    assert rate(0, 0) is None
    assert rate(1, 2) == 33
    spark = sparkline([(0, 0), (1, 1), (2, 0)])
    assert spark["label"] == "–, 50%, 100%"
    assert len(spark["points"].split()) == 2


def test_the_reviewers_and_editors_groups_may_triage(db):
    reviewer = make_user("rev2", "Medical reviewers", credentials="MD")
    editor = make_user("ed2", "Editors")
    writer = make_user("wr2", "Writers")
    for user in (reviewer, editor):
        assert user.has_perm("articles.change_readerreport")
        assert user.has_perm("articles.view_pagevotes")
    assert writer.has_perm("articles.view_readerreport")
    assert not writer.has_perm("articles.change_readerreport")
