"""A day's work for each role, at 1280×800 with the mouse, on the demo content.

Each tour checks what the guides in docs/ say a person finds and does, and
saves the screens those guides show: `make screenshots` writes them to
docs/screenshots/, an ordinary run to the ignored test-results/screenshots/.
Only the visible screen is saved, not the whole page, so the images stay small.
"""

import io
import re

import pytest
from django.contrib.auth.models import User
from PIL import Image
from playwright.sync_api import expect

from articles import reader_reports
from articles.models import Article, ReaderReport, Review, ReviewComment
from tests.browser.conftest import SELECT_TEXT, login, screenshot_folder

pytestmark = pytest.mark.browser

SENT_BACK = "Cervical mucus and miscarriage: what the research says"
UPDATE_IN_REVIEW = "Progesterone and miscarriage: what the trials show"
APPROVED = "After a miscarriage is diagnosed: your options"
LIVE = "Cervical mucus and the fertile window"
# A line of LIVE's body text, as a reader selects it.
QUOTED = "the days with the most fertile-type mucus line up closely"


def shot(page, name: str) -> None:
    """The screen as the person sees it, not the whole page."""
    folder = screenshot_folder(name)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / name))


def at_1280_by_800(page) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})


def open_dashboard(page, site_server, username: str) -> None:
    at_1280_by_800(page)
    login(page, site_server, username)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator("#waiting-title")).to_be_visible()


def toolbar_button(page, name: str):
    return page.locator(".editor-toolbar").get_by_role("button", name=name)


def small_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 360), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


def test_reader_sees_the_review_on_the_article(page, site_server, demo):
    """The article page says who reviewed it and when, on a desktop and a phone."""
    at_1280_by_800(page)
    page.goto(f"{site_server.url}/articles/cervical-mucus-fertile-window/")
    expect(page.locator("main")).to_contain_text("Medically reviewed by Dr Priya Raman")
    shot(page, "reader-article.png")
    page.set_viewport_size({"width": 360, "height": 800})
    expect(page.locator("h1")).to_be_visible()
    shot(page, "reader-article-phone.png")


def test_reader_reports_a_problem(page, site_server, demo):
    """Text selected in the article, then "No": the report form opens with
    the passage quoted."""
    at_1280_by_800(page)
    page.goto(f"{site_server.url}/articles/cervical-mucus-fertile-window/")
    page.locator("main article").evaluate(SELECT_TEXT, QUOTED)
    feedback = page.locator("#feedback")
    feedback.get_by_role("button", name="No", exact=True).click()
    expect(feedback.get_by_label("The text you mean (optional)")).to_have_value(QUOTED)
    feedback.get_by_label("Out of date").check()
    feedback.get_by_label("Tell us more (optional)").fill(
        "The 2025 guideline gives a different window."
    )
    feedback.evaluate("element => element.scrollIntoView()")
    shot(page, "reader-feedback.png")


@pytest.fixture
def reader_report(demo):
    """A reader's report on LIVE: out of date, with the passage they quoted."""
    article = Article.objects.get(title=LIVE)
    return reader_reports.file_report(
        article,
        article.live_revision,
        category=ReaderReport.Category.OUT_OF_DATE,
        quote=QUOTED,
        text="The 2025 guideline gives a different window.",
        email="",
    )


@pytest.fixture
def comments(demo):
    """Two open comments on the demo's sent-back article, as the review
    screen stores them: the passage as the reviewer read it."""
    article = Article.objects.get(title=SENT_BACK)
    review = Review.objects.filter(revision__article=article).latest("created_at")
    shared = {
        "article": article,
        "revision": review.revision,
        "review": review,
        "author": User.objects.get(username="reviewer"),
    }
    return [
        ReviewComment.objects.create(
            quote="One study published in Obstetrics and Gynecology found that "
            "women with less\nfertile-type mucus had more miscarriages.",
            suffix=" Some experts",
            body="Which study? Cite it by its DOI or PMID, or take the sentence out.",
            **shared,
        ),
        ReviewComment.objects.create(
            quote="lines\nup with the fertile window [1]",
            prefix="the most fertile-type mucus ",
            body="Say what the pooled analysis measured.",
            **shared,
        ),
    ]


def test_writer_answers_a_review(page, site_server, comments):
    """From the dashboard to the sent-back article: the decision and each open
    comment at the top, shown in the text and resolved in place."""
    open_dashboard(page, site_server, "writer")
    waiting = page.locator("#waiting-changes")
    expect(waiting).to_contain_text(SENT_BACK)
    expect(page.locator("#waiting-drafts")).to_contain_text("Folic acid")
    shot(page, "writer-dashboard.png")

    waiting.get_by_role("link", name=SENT_BACK).click()
    panel = page.locator("#sent-back")
    expect(panel.get_by_role("heading", level=2)).to_have_text(
        "Changes requested by Dr Priya Raman, MD, FACOG"
    )
    expect(panel.locator(".comment-body")).to_have_count(2)
    first = panel.locator(f"#open-comment-{comments[0].pk}")
    first.get_by_role("link", name=re.compile("Show in the text")).click()
    expect(page.locator("#id_body")).to_be_focused()
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "writer-sent-back.png")

    checklist_first = page.locator(".preflight-checklist > li").first
    expect(checklist_first).to_contain_text("Comments still open on the text: 2")
    first.get_by_role("button", name=re.compile("Resolve")).click()
    expect(first).to_contain_text("Resolved by Wendy Hart")
    expect(checklist_first).to_contain_text("Comments still open on the text: 1")


def test_writer_writes_cites_and_adds_an_image(
    page, site_server, demo, settings, tmp_path
):
    """The draft beside its preview; the Cite dialog; the image dialog."""
    settings.MEDIA_ROOT = tmp_path / "media"
    open_dashboard(page, site_server, "writer")
    page.locator("#waiting-drafts").get_by_role("link", name="Folic acid").click()
    body = page.locator("#id_body")
    body.press("Control+End")
    body.press_sequentially(
        "\n\n## When to start\n\nStart taking it before you stop contraception, "
        "because the neural tube forms in the first weeks of gestation."
    )
    preview = page.locator(".markdownx-preview")
    expect(preview.locator("h2", has_text="When to start")).to_be_visible()
    expect(page.locator("#plain-jargon-heading")).to_contain_text("(1)")
    shot(page, "writer-editor.png")

    body.press_sequentially(" It halves the risk of neural tube defects.")
    toolbar_button(page, "Cite").click()
    dialog = page.get_by_role("dialog", name="Cite a source")
    dialog.get_by_role("combobox", name="Search the reference library").fill("NICE")
    expect(dialog.get_by_role("option", name=re.compile("nice2019"))).to_be_visible()
    shot(page, "writer-cite.png")
    dialog.get_by_role("option", name=re.compile("nice2019")).click()
    expect(body).to_have_value(re.compile(r"neural tube defects\. \[@nice2019\]$"))

    with page.expect_file_chooser() as chooser:
        toolbar_button(page, "Image").click()
    chooser.value.set_files(
        {"name": "folate.png", "mimeType": "image/png", "buffer": small_png()}
    )
    dialog = page.get_by_role("dialog", name="Describe the image")
    expect(dialog.get_by_role("status")).to_contain_text("folate.png is uploaded")
    dialog.get_by_role("textbox", name="Alt text").fill(
        "Chart: folic acid from three months before conception to week 12"
    )
    dialog.get_by_role("textbox", name="Caption").fill("When to take folic acid.")
    shot(page, "writer-image.png")
    dialog.get_by_role("button", name="Insert image").click()
    expect(preview.locator("figure figcaption")).to_contain_text("When to take")


def test_writer_adds_a_reference_by_doi(page, site_server, demo, replay):
    """A DOI link fills the reference form in; nothing is saved until Save."""
    at_1280_by_800(page)
    login(page, site_server, "writer")
    page.goto(f"{site_server.url}/admin/references/reference/")
    page.get_by_role("link", name="Add by DOI/PMID/PMCID/ISBN").click()
    page.get_by_label("DOI, PMID, PMCID or ISBN").fill(
        "https://doi.org/10.1371/journal.pone.0033693"
    )
    page.get_by_role("button", name="Look up").click()
    expect(page.locator(".messagelist")).to_contain_text("nothing is saved until")
    expect(page.locator("#id_journal_abbrev")).to_have_value("PLoS One")
    shot(page, "writer-add-by-doi.png")


def test_reviewer_reviews_an_update(page, site_server, demo):
    """The queue, the changes since the last review, a comment on a passage,
    and an approval with the checklist and the declaration."""
    open_dashboard(page, site_server, "reviewer")
    queue = page.locator("#waiting-review")
    expect(queue).to_contain_text("Bleeding in early pregnancy")
    expect(queue).to_contain_text(UPDATE_IN_REVIEW)
    shot(page, "reviewer-dashboard.png")

    queue.get_by_role("link", name=UPDATE_IN_REVIEW).click()
    expect(page.locator(".review-baseline")).to_contain_text("which you reviewed")
    expect(page.locator(".review-body ins").first).to_be_visible()
    page.locator(".review-body").evaluate(SELECT_TEXT, "whether progesterone is right")
    page.get_by_role("button", name="Comment", exact=True).click()
    page.fill(
        "#id_comment_body",
        "Say who it is right for: bleeding now and a miscarriage before.",
    )
    shot(page, "reviewer-comment.png")
    page.get_by_role("button", name="Add comment").click()
    expect(page.locator("mark.comment-mark")).to_have_text(
        "whether progesterone is right"
    )
    page.locator("mark.comment-mark").evaluate(
        "element => element.scrollIntoView({block: 'center'})"
    )
    shot(page, "reviewer-changes.png")

    decision = page.locator(".review-decision")
    decision.scroll_into_view_if_needed()
    for box in decision.locator("input[name=checklist]").all():
        box.check()
    decision.get_by_label("I have no competing interests to declare").check()
    # The writer classed the update as an update; the reviewer confirms it.
    decision.get_by_label("Update", exact=True).check()
    decision.get_by_label("Comment to the authors").fill(
        "Accurate; one wording comment."
    )
    decision.get_by_role("heading", name="Your decision").scroll_into_view_if_needed()
    shot(page, "reviewer-decision.png")
    decision.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("approved")
    assert Article.objects.get(title=UPDATE_IN_REVIEW).status == "approved"


def test_reviewer_opens_a_reader_report(page, site_server, reader_report):
    """From the dashboard's Reader feedback box to the report, its passage
    highlighted in the revision the reader read."""
    open_dashboard(page, site_server, "reviewer")
    page.locator(".usefulness-box").get_by_role(
        "link", name="1 new reader report"
    ).click()
    page.locator("#result_list tbody tr", has_text=LIVE).locator("th a").click()
    expect(page.locator("[data-report-passage] mark")).to_have_text(QUOTED)
    expect(page.get_by_role("button", name="Confirm: re-review now")).to_be_visible()
    shot(page, "reviewer-reader-report.png")


def test_editor_schedules_withdraws_and_watches_the_calendar(page, site_server, demo):
    """What waits to be published, scheduling it, and a withdrawal that sends
    readers on to a replacement."""
    open_dashboard(page, site_server, "editor")
    expect(page.locator("#waiting-publish")).to_contain_text(APPROVED)
    shot(page, "editor-dashboard.png")
    calendar = page.locator(".calendar")
    expect(calendar.locator(".agenda-golive")).to_contain_text("Early pregnancy units")
    calendar.evaluate("element => element.scrollIntoView()")
    shot(page, "editor-calendar.png")

    page.evaluate("window.scrollTo(0, 0)")
    page.locator("#waiting-publish").get_by_role("link", name=APPROVED).click()
    menu = page.locator(".workflow-menu")
    expect(
        menu.get_by_role("button", name="Publish the approved revision")
    ).to_be_visible()
    shot(page, "editor-publish.png")
    menu.get_by_role(
        "button", name="Schedule publication of the approved revision"
    ).click()
    page.get_by_label("Date and time").fill("2030-06-01T09:00")
    shot(page, "editor-schedule.png")
    page.get_by_role("button", name="Schedule", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("scheduled")

    # The page on bleeding goes live, and replaces the one on urgent symptoms.
    bleeding = Article.objects.get(slug="bleeding-in-early-pregnancy")
    bleeding.approve(by=User.objects.get(username="reviewer"), comment="Clear.")
    bleeding.publish(by=User.objects.get(username="editor"))
    ectopic = Article.objects.get(slug="ectopic-pregnancy-symptoms")
    page.goto(f"{site_server.url}/admin/articles/article/{ectopic.pk}/change/")
    page.locator(".workflow-menu").get_by_role(
        "button", name="Withdraw from the site"
    ).click()
    page.get_by_label("Reason, shown to readers").fill(
        "Merged into the page on bleeding in early pregnancy."
    )
    page.get_by_label("Replaced by").select_option(value=str(bleeding.pk))
    shot(page, "editor-withdraw.png")
    page.get_by_role("button", name="Withdraw", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("withdrawn")
    page.goto(f"{site_server.url}/articles/ectopic-pregnancy-symptoms/")
    expect(page).to_have_url(f"{site_server.url}/articles/bleeding-in-early-pregnancy/")


def test_editor_reads_the_reader_feedback_box(page, site_server, reader_report):
    """The dashboard's Reader feedback box: the rate, its trend and sparkline,
    and the least useful articles (the demo has twelve weeks of answers)."""
    open_dashboard(page, site_server, "editor")
    box = page.locator(".usefulness-box")
    expect(box).to_contain_text("answers in the last 30 days said the page was")
    expect(box.locator(".usefulness-table tbody tr").first).to_be_visible()
    expect(box.locator("svg polyline").first).to_have_attribute(
        "points", re.compile(r"\d")
    )
    box.evaluate("element => element.scrollIntoView()")
    shot(page, "editor-reader-feedback.png")
