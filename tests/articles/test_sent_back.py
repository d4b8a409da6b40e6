"""An article sent back to its writer: the decision and the open comments at
the top of its form, the checklist's first item, the dashboard's comment, and
the changes of an article in review folded above the editor."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.admin.form_top import decision, own_words, teaser
from articles.models import Article, Review, ReviewComment
from articles.workflow import request_changes

Status = Article.Status
DASHBOARD = "admin:articles_article_dashboard"


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def page_of(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def comment_on(article, author, quote, body="Check this.", **fields):
    return ReviewComment.objects.create(
        article=article,
        revision=article.current_revision,
        author=author,
        quote=quote,
        body=body,
        **fields,
    )


def send_back(article, writer, reviewer, comment="Cite the trial.", **kwargs):
    article.submit_for_review(by=writer)
    request_changes(article, by=reviewer, comment=comment, **kwargs)
    article.refresh_from_db()
    return article


def top_of_form(html: str) -> str:
    """The page from the article form's start to its body textarea."""
    return html[html.index('id="article_form"') : html.index('name="body"')]


@pytest.fixture
def sent_back(article, writer, reviewer):
    return send_back(article, writer, reviewer)


# The decision, at the top of the form -------------------------------------------


def test_the_decision_is_found_only_while_the_article_is_sent_back(
    article, writer, reviewer
):
    """A draft or an article in review has no decision to show."""
    assert decision(article) is None
    article.submit_for_review(by=writer)
    assert decision(article) is None
    request_changes(article, by=reviewer, comment="Cite the trial.")
    article.refresh_from_db()
    found = decision(article)
    assert found.reviewer == "Dr Rhea Reviewer, MD, FACOG"
    assert found.comment == "Cite the trial."


def test_the_decision_tops_the_form_with_who_when_and_the_whole_comment(
    client, article, writer, reviewer
):
    """Who, when, and a long comment whole, all above the body field."""
    long_comment = "Cite the trial. " + "Every claim needs its source. " * 60
    send_back(article, writer, reviewer, comment=long_comment)
    top = top_of_form(page_of(client, writer, change_url(article)))
    assert "Changes requested by Dr Rhea Reviewer, MD, FACOG" in top
    assert "on revision 1" in top and "not revised since" in top
    assert long_comment.strip() in top
    assert "<time datetime=" in top


def test_the_decision_lists_its_open_comments_once(client, article, writer, reviewer):
    """The summary of open comments the decision stored is not repeated: the
    form lists the comments themselves, each body whole."""
    body = "Say which trial. " * 40  # over the 500 characters a summary keeps
    comment = comment_on(article, reviewer, "Mucus changes", body=body.strip())
    send_back(article, writer, reviewer)
    review = Review.objects.get()
    assert "1 open comment on the text:" in review.comment
    found = decision(article)
    assert found.comment == "Cite the trial."
    assert found.listed == 1 and found.open_count == 1
    top = top_of_form(page_of(client, writer, change_url(article)))
    assert "1 open comment on the text:" not in top
    assert body.strip() in top
    assert f'id="open-comment-{comment.pk}"' in top


def test_a_decision_made_of_comments_alone_shows_them(
    client, article, writer, reviewer
):
    """Sent back with comments on the text and no words of its own."""
    comment_on(article, reviewer, "Mucus changes", body="Which changes?")
    send_back(article, writer, reviewer, comment="")
    assert decision(article).comment == ""
    top = top_of_form(page_of(client, writer, change_url(article)))
    assert "Changes requested by" in top and "Which changes?" in top


def test_own_words_keep_a_comment_that_was_edited_in_the_database(sent_back):
    """A stored comment that does not end with its summary is shown whole."""
    review = Review.objects.get()
    assert own_words(review, []) == "Cite the trial."


def test_each_comment_links_to_its_passage_and_resolves_outside_the_form(
    client, sent_back, writer, reviewer
):
    """ "Show in the text" falls back to the review screen; Resolve submits a
    form of its own, which sits outside the article form."""
    comment = comment_on(sent_back, reviewer, "Mucus changes")
    html = page_of(client, writer, change_url(sent_back))
    review_url = reverse("admin:articles_article_review", args=[sent_back.pk])
    assert f'href="{review_url}#comment-{comment.pk}" data-show-passage' in html
    resolve = reverse(
        "admin:articles_article_comment_resolve", args=[sent_back.pk, comment.pk]
    )
    form_at = html.index(f'<form id="resolve-comment-{comment.pk}"')
    assert form_at < html.index('id="article_form"')
    assert f'action="{resolve}"' in html[form_at : form_at + 300]
    assert f'form="resolve-comment-{comment.pk}"' in top_of_form(html)


def test_the_reviewers_unticked_clinical_items_are_shown(
    client, article, writer, reviewer
):
    """What the reviewer could not confirm is said at the top and in the checklist."""
    send_back(
        article,
        writer,
        reviewer,
        checklist={"sources": True, "dosages": False, "safety": True, "current": True},
    )
    html = page_of(client, writer, change_url(article))
    assert "Not confirmed by the reviewer:" in top_of_form(html)
    assert html.count("Dosages and thresholds are checked") == 2


# Hostile data -----------------------------------------------------------------


def test_a_100000_character_decision_comment_is_shown_whole_in_a_scrolling_box(
    client, article, writer, reviewer
):
    """No error and no cut: the box scrolls instead of pushing the editor away;
    the dashboard shows the start and links to the rest."""
    send_back(article, writer, reviewer, comment="word " * 20_000)
    html = page_of(client, writer, change_url(article))
    assert 'class="sent-back-comment is-long" tabindex="0"' in html
    assert html.count("word") >= 20_000
    dashboard = page_of(client, writer, reverse(DASHBOARD))
    assert "Read the rest on the article’s page" in dashboard
    assert dashboard.count("word") < 1_000


def test_markup_in_comments_is_shown_as_text(client, article, writer, reviewer):
    """A decision or a comment holding HTML and script is escaped everywhere."""
    script = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    comment_on(article, reviewer, script, body=script)
    send_back(article, writer, reviewer, comment=script)
    for url in (change_url(article), reverse(DASHBOARD)):
        html = page_of(client, writer, url)
        assert script not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_a_huge_comment_body_and_quote_do_not_break_the_form(
    client, sent_back, writer, reviewer
):
    """Past the model's limits (written straight to the database): still 200."""
    comment_on(sent_back, reviewer, "q" * 100_000, body="b" * 100_000)
    html = page_of(client, writer, change_url(sent_back))
    assert 'class="comment-body is-long"' in html


def test_a_comment_whose_passage_is_gone_is_still_listed(
    client, sent_back, writer, reviewer
):
    """The text was rewritten: the comment stays, with its way to the review screen."""
    comment = comment_on(sent_back, reviewer, "a passage that was never there")
    sent_back.body = "All new text [@najmabadi2021]."
    sent_back.save()
    sent_back.save_revision(by=writer)
    html = page_of(client, writer, change_url(sent_back))
    assert f'id="open-comment-{comment.pk}"' in top_of_form(html)
    assert "a passage that was never there" in html


# The checklist ------------------------------------------------------------------


def checklist_items(html: str) -> list[str]:
    checklist = re.search(
        r'<ul class="preflight-checklist">(.*?)</ul>\s*</div>', html, re.S
    )
    return re.findall(r'<li class="([^"]+)"', checklist.group(1))


def test_the_checklist_starts_with_the_unmet_request(
    client, sent_back, writer, reviewer
):
    """Sent back with an open comment: the first item is not met, whatever the
    other checks say."""
    comment_on(sent_back, reviewer, "Mucus changes")
    html = page_of(client, writer, change_url(sent_back))
    assert checklist_items(html)[0] == "check-sent-back check-unmet"
    assert "Changes requested by Dr Rhea Reviewer, MD, FACOG: address them" in html
    assert "Comments still open on the text: 1" in html
    assert "Not revised since the decision on revision 1." in html


def test_the_request_is_met_once_revised_and_every_comment_resolved(
    client, sent_back, writer, reviewer
):
    """Revising alone is not enough while a comment is open; both together are."""
    comment = comment_on(sent_back, reviewer, "Mucus changes")
    sent_back.body = "Mucus changes a lot [@najmabadi2021]."
    sent_back.save()
    sent_back.save_revision(by=writer)
    html = page_of(client, writer, change_url(sent_back))
    assert checklist_items(html)[0] == "check-sent-back check-unmet"
    ReviewComment.objects.filter(pk=comment.pk).update(
        resolved_at=timezone.now(), resolved_by=writer
    )
    html = page_of(client, writer, change_url(sent_back))
    assert checklist_items(html)[0] == "check-sent-back check-passed"
    assert "addressed, submit it again" in html


def test_no_request_item_on_a_draft(client, article, writer):
    """A draft never sent back has the usual checks only."""
    html = page_of(client, writer, change_url(article))
    assert "check-sent-back" not in html


def test_submitting_with_open_comments_is_still_allowed(sent_back, writer, reviewer):
    """The request is shown, not enforced: the writer may answer a comment
    rather than follow it, and the reviewer sees what is still open."""
    comment_on(sent_back, reviewer, "Mucus changes")
    sent_back.submit_for_review(by=writer)
    sent_back.refresh_from_db()
    assert sent_back.status == Status.IN_REVIEW


# The dashboard --------------------------------------------------------------------


def test_teaser_cuts_at_a_word():
    """Cut at the last space before the limit; the rest starts at the next word."""
    assert teaser("short text", 50) == ("short text", "")
    assert teaser("one two three four", 10) == ("one two", "three four")
    assert teaser("one two\nthree four", 12) == ("one two", "three four")


def test_teaser_cuts_one_enormous_word_at_the_limit():
    """A single word longer than the limit is cut inside it, not shown empty."""
    head, rest = teaser("x" * 50, 20)
    assert (len(head), len(rest)) == (20, 30)


def test_the_dashboard_shows_a_short_comment_whole(client, article, writer, reviewer):
    """The demo's comment, 287 characters, is shown whole without "more"."""
    comment = (
        "The claim attributed to “one study published in Obstetrics and "
        "Gynecology” has no traceable source. Cite it with its DOI or PMID, e.g. "
        "[@doi:10.x/y], so it appears in the reference list, or remove the claim. "
        "The hormone statement needs a verifiable reference too."
    )
    send_back(article, writer, reviewer, comment=comment)
    html = page_of(client, writer, reverse(DASHBOARD))
    assert "The hormone statement needs a verifiable reference too." in html
    assert '<details class="waiting-comment">' not in html


def test_the_dashboard_cuts_a_long_comment_at_a_word_with_more(
    client, article, writer, reviewer
):
    """Cut at a word boundary, and the whole comment behind "more"."""
    comment = "Please cite the randomised trial properly. " * 12 + "Lastword."
    send_back(article, writer, reviewer, comment=comment)
    html = page_of(client, writer, reverse(DASHBOARD))
    teaser_text = re.search(r'<span class="waiting-teaser">“(.*?)…”</span>', html, re.S)
    shown = teaser_text.group(1)
    assert comment.startswith(shown) and comment[len(shown)] == " "
    assert '<span class="waiting-toggle-more">more</span>' in html
    assert "Lastword." in html


def test_the_dashboard_counts_open_comments(client, sent_back, writer, reviewer):
    """Comments still open on the text are counted beside the decision."""
    comment_on(sent_back, reviewer, "Mucus changes")
    comment_on(sent_back, reviewer, "changes")
    html = page_of(client, writer, reverse(DASHBOARD))
    assert "2 open comments on the text" in html


# An article in review -------------------------------------------------------------


def test_an_article_in_review_folds_its_changes_beside_the_workflow_bar(
    client, live_article, writer, editor
):
    """The diff is there, folded in a closed disclosure with its word counts,
    and the editor's field comes right after the notices."""
    live_article.body = "Mucus changes a lot [@najmabadi2021]."
    live_article.save()
    live_article.save_revision(by=writer, change_class="update")
    live_article.submit_for_review(by=writer)
    html = page_of(client, editor, change_url(live_article))
    details = re.search(
        r'<details class="review-diff review-changes">(.*?)</details>', html, re.S
    )
    assert details, "the changes are not folded"
    # Two words of the body, and the kind of change ("update").
    assert (
        "What changed since the last approved revision (1): +3 / −0 words"
        in details.group(1)
    )
    assert "<ins> a lot</ins>" in details.group(1)
    bar = html.index('class="form-top-bar"')
    assert bar < html.index("<details class=") < html.index('name="body"')
