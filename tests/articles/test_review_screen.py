"""The review screen: what it compares, the checklist, declarations and decisions."""

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from articles.admin.htmldiff import html_diff
from articles.models import Article, Review, ReviewComment
from articles.workflow import WorkflowError, approve
from tests.conftest import PASSWORD

Status = Article.Status
ALL_TICKED = ["sources", "dosages", "safety", "current"]


def review_url(article, **query):
    url = reverse("admin:articles_article_review", args=[article.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


@pytest.fixture
def in_review(article, writer):
    article.submit_for_review(by=writer)
    return article


def edit(article, writer, body):
    article.body = body
    article.save()
    article.save_revision(by=writer)


def decide(client, article, **data):
    return client.post(review_url(article), data)


def comment_on(article, author, quote, body="Check this."):
    return ReviewComment.objects.create(
        article=article,
        revision=article.current_revision,
        author=author,
        quote=quote,
        body=body,
    )


# The HTML diff ---------------------------------------------------------------


def test_html_diff_marks_changed_words_inside_their_paragraph():
    """A changed word is marked inside the paragraph, the rest left alone."""
    diff = html_diff("<p>Take 5 mg daily.</p>", "<p>Take 10 mg daily.</p>")
    assert diff.html == "<p>Take <del>5</del><ins>10</ins> mg daily.</p>"
    assert (diff.inserted, diff.deleted) == (1, 1)


def test_html_diff_keeps_lists_well_formed():
    """A removed list item stays an <li>, its words struck through."""
    html = html_diff(
        "<ul>\n<li>Rest.</li>\n<li>Drink water.</li>\n</ul>",
        "<ul>\n<li>Rest.</li>\n</ul>",
    ).html
    assert html == "<ul><li>Rest.</li>\n<li><del>Drink water.</del></li></ul>"


def test_html_diff_marks_a_new_block_whole():
    """A new paragraph is shown inserted, the unchanged ones as they were."""
    html = html_diff("<p>One.</p>", '<p>One.</p>\n<h2 id="new">Two</h2>').html
    assert html == '<p>One.</p>\n<h2 id="new"><ins>Two</ins></h2>'


def test_html_diff_drops_ids_from_deleted_copies_and_anything_unsafe():
    """Deleted blocks lose their ids; scripts and event handlers never pass."""
    html = html_diff(
        '<h2 id="gone">Gone entirely</h2><p>Same</p>',
        '<p onclick="x()">Same</p><script>alert(1)</script>'
        '<a href="javascript:x">l</a>',
    ).html
    assert 'id="gone"' not in html
    assert "onclick" not in html and "<script" not in html
    assert "javascript:" not in html


def test_html_diff_escapes_text():
    """Words are escaped again, so an entity never turns into markup."""
    assert "&lt;b&gt;" in html_diff("<p>a</p>", "<p>&lt;b&gt;</p>").html


def test_html_diff_out_of_time_marks_whole_runs():
    """Past its time budget the diff still shows every change, less finely."""
    diff = html_diff("<p>Take 5 mg daily.</p>", "<p>Take 10 mg daily.</p>", 0)
    assert diff.html == (
        "<p><del>Take 5 mg daily.</del></p><p><ins>Take 10 mg daily.</ins></p>"
    )


# What the screen compares --------------------------------------------------------


def test_first_review_says_everything_is_new(client, in_review, reviewer):
    """Nobody reviewed it before: the whole text, said plainly."""
    client.force_login(reviewer)
    response = client.get(review_url(in_review))
    assert response.status_code == 200
    assert response.context["chosen"].key == "none"
    assert "First review" in response.context["chosen"].explanation
    assert "<ins>" not in str(response.context["parts"]["body"])


def test_default_is_since_this_reviewer_last_reviewed(
    client, in_review, writer, reviewer
):
    """After "request changes" on revision N, the screen shows only the fix."""
    in_review.request_changes(by=reviewer, comment="Give the dose.")
    reviewed = in_review.current_revision.number
    edit(in_review, writer, "Mucus changes, at 5 mg [@najmabadi2021].")
    in_review.submit_for_review(by=writer)
    client.force_login(reviewer)
    response = client.get(review_url(in_review))
    chosen = response.context["chosen"]
    assert chosen.key == "mine" and chosen.revision.number == reviewed
    body = str(response.context["parts"]["body"])
    assert "<ins>, at 5 mg</ins>" in body
    assert "<del>" not in body


def test_other_comparisons_are_offered(client, live_article, writer, reviewer):
    """The last approved and the live revision can be chosen."""
    edit(live_article, writer, "Mucus changes a lot [@najmabadi2021].")
    live_article.save_revision(by=writer, change_class="update")
    live_article.submit_for_review(by=writer)
    client.force_login(reviewer)
    response = client.get(review_url(live_article, against="live"))
    assert response.context["chosen"].key == "live"
    assert re.search(r"<ins>\s?a lot\s?</ins>", str(response.context["parts"]["body"]))
    keys = [o.key for o in response.context["options"]]
    assert keys == ["mine", "approved", "live", "none"]


def test_source_view_reuses_the_field_diffs(client, in_review, reviewer):
    """The switch to the source diff shows the Markdown."""
    client.force_login(reviewer)
    response = client.get(review_url(in_review, view="source"))
    assert "[@najmabadi2021]" in response.content.decode()


# The checklist and the declaration -------------------------------------------------


def test_approval_needs_every_checklist_item(client, in_review, reviewer):
    """An unticked item refuses the approval with a clear message."""
    client.force_login(reviewer)
    response = decide(
        client,
        in_review,
        decision="approve",
        checklist=ALL_TICKED[:3],
        interests="none",
    )
    assert response.status_code == 200
    assert "Tick every item to approve" in response.content.decode()
    assert "Date-sensitive facts are current" in response.content.decode()
    in_review.refresh_from_db()
    assert in_review.status == Status.IN_REVIEW


def test_approval_needs_a_declaration(client, in_review, reviewer):
    """Approving without declaring competing interests is refused."""
    client.force_login(reviewer)
    response = decide(client, in_review, decision="approve", checklist=ALL_TICKED)
    assert "Declare your competing interests" in response.content.decode()
    assert not Review.objects.exists()


def test_approval_stores_checklist_and_declaration(client, in_review, reviewer):
    """What was ticked and declared is stored with the review."""
    client.force_login(reviewer)
    response = decide(
        client,
        in_review,
        decision="approve",
        checklist=ALL_TICKED,
        interests="declare",
        competing_interests="Speaker fees from Besins, 2025",
        full_review="on",
    )
    assert response.status_code == 302
    review = Review.objects.get()
    assert review.decision == Review.Decision.APPROVED
    assert review.checklist == dict.fromkeys(ALL_TICKED, True)
    assert review.interests_declared
    assert review.competing_interests == "Speaker fees from Besins, 2025"


def test_checklist_comes_from_the_setting(client, in_review, reviewer, settings):
    """HEALTH_REVIEW_CHECKLIST sets the items."""
    settings.HEALTH_REVIEW_CHECKLIST = [("images", "Images are clinically accurate")]
    client.force_login(reviewer)
    assert (
        "Images are clinically accurate"
        in client.get(review_url(in_review)).content.decode()
    )
    decide(
        client, in_review, decision="approve", checklist=["images"], interests="none"
    )
    assert Review.objects.get().checklist == {"images": True}


def test_workflow_refuses_a_partly_ticked_checklist(in_review, reviewer):
    """The transition checks the checklist too, whatever calls it."""
    with pytest.raises(WorkflowError, match="Tick every item"):
        approve(in_review, by=reviewer, checklist={"sources": True})


def test_declaration_shows_on_the_public_page(client, in_review, reviewer, editor):
    """The reviewer's declaration is printed next to their name."""
    approve(
        in_review,
        by=reviewer,
        checklist=dict.fromkeys(ALL_TICKED, True),
        competing_interests="Speaker fees from Besins, 2025",
    )
    in_review.publish(by=editor)
    page = client.get(in_review.get_absolute_url()).content.decode()
    assert (
        "Competing interests declared by the reviewer: Speaker fees from Besins, 2025"
        in page
    )


def test_no_interests_declared_shows_as_none(client, in_review, reviewer, editor):
    """Declaring none says so; a review without a declaration says nothing."""
    approve(
        in_review,
        by=reviewer,
        checklist=dict.fromkeys(ALL_TICKED, True),
        competing_interests="",
    )
    in_review.publish(by=editor)
    page = client.get(in_review.get_absolute_url()).content.decode()
    assert "The reviewer declares no competing interests." in page


# Decisions summarise the open comments ---------------------------------------


def test_request_changes_lists_the_open_comments(client, in_review, reviewer):
    """The decision's comment lists the open comments, which link to it."""
    comment = comment_on(in_review, reviewer, "Mucus changes", "Which changes?")
    client.force_login(reviewer)
    response = decide(client, in_review, decision="request_changes", comment="")
    assert response.status_code == 302
    review = Review.objects.get()
    assert "1 open comment on the text" in review.comment
    assert "“Mucus changes” (revision 1): Which changes?" in review.comment
    comment.refresh_from_db()
    assert comment.review == review and comment.is_open


def test_request_changes_without_comment_or_comments_is_refused(
    client, in_review, reviewer
):
    """Nothing to say and nothing open: the form asks for a comment."""
    client.force_login(reviewer)
    response = decide(client, in_review, decision="request_changes", comment=" ")
    assert "Say what needs to change" in response.content.decode()
    assert not Review.objects.exists()


def test_approval_shows_and_records_the_open_comments(client, in_review, reviewer):
    """The approve form shows the open comments; the approval records them."""
    comment = comment_on(in_review, reviewer, "Mucus", "Minor: say cervical mucus.")
    client.force_login(reviewer)
    page = client.get(review_url(in_review)).content.decode()
    assert "1 comment on the text is still open" in page
    decide(
        client, in_review, decision="approve", checklist=ALL_TICKED, interests="none"
    )
    review = Review.objects.get()
    assert "Minor: say cervical mucus." in review.comment
    comment.refresh_from_db()
    assert comment.review == review


# Who may open it -------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("writer", 200), ("reviewer", 200), ("editor", 200), ("other_writer", 404)],
)
def test_who_may_open_the_review_screen(client, in_review, request, who, status):
    """Reviewers, the authors and editors; not another writer."""
    client.force_login(request.getfixturevalue(who))
    assert client.get(review_url(in_review)).status_code == status


def test_anonymous_and_readers_are_sent_to_log_in(client, in_review):
    """No staff account, no review screen."""
    assert client.get(review_url(in_review)).status_code == 302
    User.objects.create_user("reader", "reader@example.org", PASSWORD)
    client.login(username="reader", password=PASSWORD)
    response = client.get(review_url(in_review))
    assert response.status_code == 302 and "/login/" in response.url


def test_writer_cannot_decide(client, in_review, writer):
    """A writer sees no decision form, and a forged decision changes nothing."""
    client.force_login(writer)
    assert 'value="approve"' not in client.get(review_url(in_review)).content.decode()
    decide(
        client, in_review, decision="approve", checklist=ALL_TICKED, interests="none"
    )
    in_review.refresh_from_db()
    assert in_review.status == Status.IN_REVIEW


def test_author_reviewer_is_refused_with_the_reason(client, in_review, reviewer):
    """The workflow's refusal shows on the screen; nothing changes."""
    in_review.authors.add(reviewer.contributor)
    client.force_login(reviewer)
    response = decide(
        client, in_review, decision="approve", checklist=ALL_TICKED, interests="none"
    )
    assert "You are an author of this article" in response.content.decode()
    assert not Review.objects.exists()


def test_html_diff_out_of_time_keeps_unchanged_blocks():
    """Out of time, unchanged paragraphs are still shown unmarked."""
    diff = html_diff("<p>Same.</p><p>Old.</p>", "<p>Same.</p><p>New.</p>", 0)
    assert diff.html.startswith("<p>Same.</p><p><del>")
