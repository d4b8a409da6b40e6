"""The review screen in a real browser: comments reaching the writer, the
default comparison after "request changes", accessibility and its screenshot."""

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from articles.models import Article, ReviewComment
from tests.browser.accessibility import serious_violations
from tests.browser.conftest import SELECT_TEXT, login, logout, screenshot

pytestmark = pytest.mark.browser


def review_screen(page, site_server, slug):
    article = Article.objects.get(slug=slug)
    page.goto(f"{site_server.url}/admin/articles/article/{article.pk}/review/")
    return article


def select_text(page, text):
    page.locator(".review-body").evaluate(SELECT_TEXT, text)


def test_inline_comment_reaches_the_writer(page, site_server, demo):
    """The reviewer comments on a passage; the writer sees it and resolves it."""
    passage = "heavy bleeding, severe pain or fainting"
    login(page, site_server, "reviewer")
    article = review_screen(page, site_server, "bleeding-in-early-pregnancy")
    count = page.locator("#review-comments-heading [data-open-count]")
    before = int(count.inner_text())
    select_text(page, passage)
    page.get_by_role("button", name="Comment", exact=True).click()
    expect(page.locator("[data-form-quote]")).to_have_text(f"“{passage}”")
    page.fill("#id_comment_body", "Add shoulder-tip pain to the urgent signs.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.locator("#comment-list")).to_contain_text("shoulder-tip pain")
    # The heading counts the new comment without a reload.
    expect(count).to_have_text(str(before + 1))
    expect(page.locator("mark.comment-mark")).to_have_text(passage)
    logout(page, site_server)

    login(page, site_server, "writer")
    page.goto(f"{site_server.url}/admin/articles/article/{article.pk}/change/")
    panel = page.locator(".review-comments-panel")
    expect(panel).to_contain_text("1 open comment on the text")
    expect(panel).to_contain_text(passage)
    expect(panel).to_contain_text("Add shoulder-tip pain to the urgent signs.")
    panel.get_by_role("button", name=re.compile("Resolve")).click()
    expect(page.locator(".messagelist")).to_contain_text("resolved")
    expect(page.locator(".review-comments-panel")).to_have_count(0)
    comment = ReviewComment.objects.get()
    assert comment.resolved_by == User.objects.get(username="writer")


def test_review_screen_defaults_to_since_you_last_reviewed(page, site_server, demo):
    """After requesting changes on revision N, the reviewer sees only the fix."""
    login(page, site_server, "reviewer")
    article = review_screen(page, site_server, "bleeding-in-early-pregnancy")
    expect(page.locator(".review-baseline")).to_contain_text("First review")
    reviewed = article.current_revision.number
    page.fill("#id_comment", "Say who to call out of hours.")
    page.get_by_role("button", name="Request changes").click()
    expect(page.locator(".messagelist")).to_contain_text("back to its authors")

    # The writer fixes it and resubmits (the change form's own tests cover how).
    writer = User.objects.get(username="writer")
    article.refresh_from_db()
    article.body = article.body.replace(
        "Contact your GP", "Call NHS 111 out of hours, or contact your GP"
    )
    article.save()
    article.save_revision(by=writer)
    article.submit_for_review(by=writer)

    review_screen(page, site_server, "bleeding-in-early-pregnancy")
    expect(page.locator("#id_against")).to_have_value("mine")
    expect(page.locator(".review-baseline")).to_contain_text(
        f"Compared with revision {reviewed}, which you reviewed"
    )
    body = page.locator(".review-body")
    expect(body.locator("ins")).to_have_text(["Call NHS 111 out of hours, or contact"])
    expect(body.locator("del")).to_have_text(["Contact"])


def test_review_screen_is_accessible(page, site_server, demo):
    """axe finds no serious or critical problem; the README's screenshot."""
    login(page, site_server, "reviewer")
    article = review_screen(page, site_server, "progesterone-and-miscarriage")
    ReviewComment.objects.create(
        article=article,
        revision=article.current_revision,
        author=User.objects.get(username="reviewer"),
        quote="benefit seen in trials depends on your history",
        prefix="progesterone is right for you; the\n",
        body="Say which history: previous miscarriage and bleeding now.",
    )
    page.reload()
    expect(page.locator(".review-body ins").first).to_be_visible()
    expect(page.locator("mark.comment-mark")).to_have_count(1)
    assert serious_violations(page) == []
    page.set_viewport_size({"width": 1280, "height": 1000})
    screenshot(page, "admin-review.png")


def test_commenting_works_from_the_keyboard(page, site_server, demo):
    """The panel's button opens the form for the selection, by keyboard too."""
    login(page, site_server, "reviewer")
    review_screen(page, site_server, "bleeding-in-early-pregnancy")
    button = page.get_by_role("button", name="Comment on the selected text")
    button.click()
    expect(page.get_by_text("First select a passage of the article.")).to_be_visible()
    select_text(page, "ectopic pregnancy")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("[data-form-quote]")).to_have_text("“ectopic pregnancy”")
    expect(page.locator("#id_comment_body")).to_be_focused()
