"""Readers' feedback in a real browser: "Is this page useful?" and "Report a
problem" answered inline with JavaScript and as plain forms without it, and a
reader's report on its way through the desk to the reviewer's re-review."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles import reader_reports
from articles.models import Article, PageVotes, ReaderReport
from tests.browser.accessibility import serious_violations
from tests.browser.conftest import SELECT_TEXT, login

pytestmark = pytest.mark.browser

SLUG = "cervical-mucus-fertile-window"
TITLE = "Cervical mucus and the fertile window"
# One line of the article's body text, as the reader selects it.
PASSAGE = "the days with the most fertile-type mucus line up closely"
REREVIEW = "Re-review now: readers reported a problem"


def article_url(site_server) -> str:
    return f"{site_server.url}/articles/{SLUG}/"


def votes() -> tuple[int, int]:
    """Today's yes and no for the article (the demo has some already)."""
    row = PageVotes.objects.filter(article__slug=SLUG, day=timezone.localdate()).first()
    return (row.yes, row.no) if row else (0, 0)


@pytest.fixture
def no_js_page(browser, site_server):
    """A reader whose browser runs no JavaScript."""
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def out_of_date_report(demo):
    """A reader's report on the article's live revision: out of date, with
    the passage they selected."""
    article = Article.objects.get(slug=SLUG)
    return reader_reports.file_report(
        article,
        article.live_revision,
        category=ReaderReport.Category.OUT_OF_DATE,
        quote=PASSAGE,
        text="The 2025 guideline says otherwise.",
        email="",
    )


# With JavaScript ------------------------------------------------------------


def test_a_selected_passage_is_reported_inline(page, site_server, demo):
    """Text selected in the article, then "No": the report form opens with
    the passage quoted, and the report is sent without leaving the page."""
    yes, no = votes()
    response = page.goto(article_url(site_server))
    assert "set-cookie" not in response.headers
    page.evaluate("window.samePage = true")
    page.locator("main article").evaluate(SELECT_TEXT, PASSAGE)
    page.get_by_role("button", name="No", exact=True).click()

    feedback = page.locator("#feedback")
    status = feedback.get_by_role("status")
    expect(status).to_contain_text("What was wrong?")
    expect(feedback.locator("details")).to_have_attribute("open", "")
    expect(feedback.get_by_label("The text you mean (optional)")).to_have_value(PASSAGE)
    feedback.get_by_label("Out of date").check()
    feedback.get_by_label("Tell us more (optional)").fill(
        "The 2025 guideline says otherwise."
    )
    with page.expect_response(re.compile(r"/feedback/$")) as sent:
        feedback.get_by_role("button", name="Send report").click()
    expect(status).to_have_text("Thank you. Our editors will read your report.")

    assert page.evaluate("window.samePage") is True
    assert "set-cookie" not in sent.value.headers
    assert page.context.cookies() == []
    article = Article.objects.select_related("live_revision").get(slug=SLUG)
    report = ReaderReport.objects.get()
    assert report.category == ReaderReport.Category.OUT_OF_DATE
    assert report.quote == PASSAGE
    assert report.revision == article.live_revision
    assert votes() == (yes, no + 1)


def test_yes_is_thanked_inline(page, site_server, demo):
    """A "Yes" is counted, and thanked where the buttons were."""
    yes, no = votes()
    page.goto(article_url(site_server))
    feedback = page.locator("#feedback")
    feedback.get_by_role("button", name="Yes", exact=True).click()
    expect(feedback.get_by_role("status")).to_have_text("Thank you for your feedback.")
    expect(feedback.get_by_role("button", name="Yes", exact=True)).to_be_hidden()
    assert votes() == (yes + 1, no)
    assert page.context.cookies() == []


def test_an_inline_error_shows_by_its_field_and_keeps_the_text(page, site_server, demo):
    """A message over 2,000 characters (past the textarea's maxlength) is
    refused next to the field, and what the reader wrote stays."""
    page.goto(article_url(site_server))
    feedback = page.locator("#feedback")
    feedback.get_by_text("Report a problem with this page").click()
    feedback.get_by_label("Hard to understand").check()
    too_long = "The second paragraph uses words I do not know. " * 45
    text = feedback.get_by_label("Tell us more (optional)")
    text.evaluate("(field, value) => { field.value = value; }", too_long)
    feedback.get_by_role("button", name="Send report").click()

    error = feedback.locator("#feedback-error-text")
    expect(error).to_contain_text("at most 2000 characters")
    expect(text).to_have_attribute("aria-invalid", "true")
    expect(text).to_have_attribute("aria-describedby", "feedback-error-text")
    expect(text).to_have_value(too_long)
    expect(feedback.get_by_label("Hard to understand")).to_be_checked()
    assert ReaderReport.objects.count() == 0


def test_the_open_feedback_form_is_accessible(page, site_server, demo):
    """axe finds no serious violations with the report form open."""
    page.goto(article_url(site_server))
    page.locator("#feedback").get_by_text("Report a problem with this page").click()
    expect(page.locator("#feedback details")).to_have_attribute("open", "")
    assert serious_violations(page) == []


def test_the_report_page_is_accessible(page, site_server, demo):
    """axe finds no serious violations on the "What was wrong?" page, with an
    error shown. (axe needs JavaScript: here the page's module is not loaded.)"""
    page.route(re.compile(r"/static/js/feedback\b[^/]*\.js$"), lambda r: r.abort())
    page.goto(article_url(site_server))
    page.get_by_role("button", name="No", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What was wrong?")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert serious_violations(page) == []


# Without JavaScript -----------------------------------------------------------


def test_no_then_the_report_page_without_javascript(no_js_page, site_server, demo):
    """Without JavaScript, "No" answers with the "What was wrong?" page; a
    report without a category comes back with the error and the reader's
    text; then it is sent."""
    page = no_js_page
    yes, no = votes()
    page.goto(article_url(site_server))
    page.get_by_role("button", name="No", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What was wrong?")
    expect(page).to_have_url(re.compile(rf"/articles/{SLUG}/feedback/$"))

    page.get_by_label("Tell us more (optional)").fill("The advice on apps is old.")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What was wrong?")
    expect(page.get_by_role("alert")).to_have_text(
        "Please check what you entered below."
    )
    expect(page.locator(".feedback-categories")).to_contain_text(
        "Choose what was wrong."
    )
    expect(page.get_by_label("Tell us more (optional)")).to_have_value(
        "The advice on apps is old."
    )

    page.get_by_label("Out of date").check()
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you for your feedback"
    )
    article = Article.objects.select_related("live_revision").get(slug=SLUG)
    report = ReaderReport.objects.get()
    assert report.text == "The advice on apps is old."
    assert report.revision == article.live_revision
    assert votes() == (yes, no + 1)
    assert page.context.cookies() == []


def test_a_report_from_the_article_page_without_javascript(
    no_js_page, site_server, demo
):
    """The folded "Report a problem" form on the article page is a plain form."""
    page = no_js_page
    page.goto(article_url(site_server))
    feedback = page.locator("#feedback")
    feedback.get_by_text("Report a problem with this page").click()
    feedback.get_by_label("Broken link").check()
    feedback.get_by_label("Tell us more (optional)").fill("Reference 1 is a 404.")
    feedback.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you for your feedback"
    )
    page.get_by_role("link", name=f"Back to “{TITLE}”").click()
    expect(page).to_have_url(article_url(site_server))
    report = ReaderReport.objects.get()
    assert report.category == ReaderReport.Category.BROKEN_LINK
    assert report.text == "Reference 1 is a 404."


# At the desk ----------------------------------------------------------------


def test_a_confirmed_report_reaches_the_reviewer(page, site_server, out_of_date_report):
    """The queue, the passage highlighted, "Confirm: re-review now", then the
    dashboard's group and the review screen."""
    login(page, site_server, "reviewer")
    page.goto(f"{site_server.url}/admin/articles/readerreport/")
    row = page.locator("#result_list tbody tr", has_text=TITLE)
    expect(row).to_contain_text("Out of date")
    row.locator("th a").click()

    expect(page.locator("[data-report-passage] mark")).to_have_text(PASSAGE)
    expect(page.locator(".reader-report")).to_contain_text("which is live now")
    page.get_by_role("button", name="Confirm: re-review now").click()
    expect(page.locator(".messagelist")).to_contain_text("Confirmed")
    article = Article.objects.get(slug=SLUG)
    assert article.next_review_due == timezone.localdate()

    page.goto(f"{site_server.url}/admin/articles/article/dashboard/")
    group = page.locator("#waiting-reader-rereview")
    expect(group.get_by_role("heading", level=3)).to_contain_text(REREVIEW)
    expect(group).to_contain_text(TITLE)
    expect(group).to_contain_text("A reader reported it as out of date.")

    page.goto(f"{site_server.url}/admin/articles/article/{article.pk}/review/")
    reports = page.locator(".reader-reports")
    expect(reports).to_contain_text("Out of date")
    expect(reports.locator("[data-report-passage] mark")).to_have_text(PASSAGE)
