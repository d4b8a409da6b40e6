"""A writer's sent-back article and a long article in review, at 1280×800 with
the mouse: what the article needs is in the first screen, never a scroll away."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from playwright.sync_api import expect

from articles.admin.form_top import own_words
from articles.models import Article, Review, ReviewComment
from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser

SENT_BACK = "Cervical mucus and miscarriage: what the research says"
FIRST_VIEWPORT = 800
STUDY = (
    "One study published in Obstetrics and Gynecology found that women with less\n"
    "fertile-type mucus had more miscarriages."
)
LONG_BODY = (
    "Which study? I could not find it in PubMed under that journal. If it is "
    "the 2019 cohort by Hall and colleagues, cite it by its DOI and say how "
    "many women it followed; if it cannot be found, take the sentence out. "
) * 4


def at_1280_by_800(page):
    page.set_viewport_size({"width": 1280, "height": FIRST_VIEWPORT})


def top_of(locator) -> float:
    box = locator.bounding_box()
    assert box is not None, "not shown"
    return box["y"]


def in_first_viewport(locator) -> bool:
    return 0 <= top_of(locator) < FIRST_VIEWPORT


def selected_text(page) -> str:
    return page.locator("#id_body").evaluate(
        "t => t.value.slice(t.selectionStart, t.selectionEnd)"
    )


def highlighted_in_preview(page) -> str:
    return page.evaluate(
        "() => { const h = CSS.highlights.get('comment-passage');"
        " return h ? [...h].map(String).join(' ') : ''; }"
    )


@pytest.fixture
def comments(demo):
    """Two comments on the demo's sent-back article, as the review screen
    stores them: the passage as readers see it, with text either side."""
    article = Article.objects.get(title=SENT_BACK)
    reviewer = User.objects.get(username="reviewer")
    review = Review.objects.filter(revision__article=article).latest("created_at")

    def comment(**fields):
        return ReviewComment.objects.create(
            article=article,
            revision=review.revision,
            author=reviewer,
            review=review,
            **fields,
        )

    return [
        comment(quote=STUDY, prefix="", suffix=" Some experts", body=LONG_BODY),
        comment(
            quote="lines\nup with the fertile window [1]",
            prefix="the most fertile-type mucus ",
            suffix=".",
            body="Say what the pooled analysis measured.",
        ),
    ]


def open_from_the_dashboard(page, site_server, title):
    login(page, site_server, "writer")
    page.get_by_role("link", name="Dashboard").click()
    page.locator("#waiting-changes").get_by_role("link", name=title).click()
    expect(page.locator("#id_body")).to_be_visible()


def test_writer_sees_why_at_the_top_and_goes_to_each_passage(
    page, site_server, demo, comments
):
    """From the dashboard: the decision and each open comment in full in the
    first screen, each comment's link selecting its passage in the editor."""
    at_1280_by_800(page)
    open_from_the_dashboard(page, site_server, SENT_BACK)
    panel = page.locator("#sent-back")
    assert in_first_viewport(panel)
    expect(panel.get_by_role("heading", level=2)).to_have_text(
        "Changes requested by Dr Priya Raman, MD, FACOG"
    )
    review = Review.objects.get(revision__article__title=SENT_BACK)
    words = own_words(review, [])
    expect(panel.locator(".sent-back-comment")).to_have_text(words)
    assert in_first_viewport(panel.locator(".sent-back-comment"))
    for comment in comments:
        item = panel.locator(f"#open-comment-{comment.pk}")
        expect(item.locator(".comment-body")).to_have_text(comment.body)
    screenshot(page, "admin-sent-back.png")

    first = panel.locator(f"#open-comment-{comments[0].pk}")
    first.get_by_role("link", name=re.compile("Show in the text")).click()
    expect(page.locator("#id_body")).to_be_focused()
    assert selected_text(page) == STUDY.rstrip(".")
    assert in_first_viewport(page.locator("#id_body"))
    assert "fertile-type mucus had more miscarriages" in highlighted_in_preview(page)

    second = panel.locator(f"#open-comment-{comments[1].pk}")
    second.get_by_role("link", name=re.compile("Show in the text")).click()
    # The source reads "[@najmabadi2021]" where the page read "[1]".
    assert selected_text(page) == "lines\nup with the fertile window"


def test_the_checklist_shows_the_request_until_it_is_met(
    page, site_server, demo, comments
):
    """The checklist's first item is unmet while comments are open; resolving
    them with the mouse updates it in place and keeps unsaved text."""
    at_1280_by_800(page)
    open_from_the_dashboard(page, site_server, SENT_BACK)
    checklist = page.locator(".preflight-checklist")
    first = checklist.locator(":scope > li").first
    expect(first).to_have_class(re.compile("check-unmet"))
    expect(first).to_contain_text(
        "Changes requested by Dr Priya Raman, MD, FACOG: address them"
    )
    expect(first).to_contain_text("Comments still open on the text: 2")
    expect(first).to_contain_text("Not revised since the decision")
    page.locator("#id_change_note").fill("Cited the study by its DOI")
    panel = page.locator("#sent-back")
    for comment in comments:
        panel.locator(f"#open-comment-{comment.pk}").get_by_role(
            "button", name=re.compile("Resolve")
        ).click()
        expect(panel.locator(f"#open-comment-{comment.pk}")).to_contain_text(
            "Resolved by Wendy Hart"
        )
    expect(panel.locator("[data-open-heading]")).to_have_text(
        "0 open comments on the text"
    )
    expect(first).to_contain_text("No comment on the text is open.")
    # Not revised yet: still unmet.
    expect(first).to_have_class(re.compile("check-unmet"))
    expect(page.locator("#id_change_note")).to_have_value("Cited the study by its DOI")
    assert not ReviewComment.objects.filter(resolved_at=None).exists()

    page.locator("#id_body").fill(
        "Cervical mucus changes through the cycle [@najmabadi2021]."
    )
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(first).to_have_class(re.compile("check-passed"))
    expect(first).to_contain_text("addressed, submit it again")


def test_a_rewritten_passage_and_markup_in_a_comment(page, site_server, demo, comments):
    """A comment whose passage is gone says so; markup in a comment is text."""
    article = Article.objects.get(title=SENT_BACK)
    markup = "<img src=x onerror=\"document.title='owned'\"><script>alert(1)</script>"
    gone = ReviewComment.objects.create(
        article=article,
        revision=article.current_revision,
        author=comments[0].author,
        quote="a sentence the writer has since deleted",
        body=markup,
    )
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog), dialog.dismiss()))
    at_1280_by_800(page)
    open_from_the_dashboard(page, site_server, SENT_BACK)
    item = page.locator(f"#open-comment-{gone.pk}")
    expect(item.locator(".comment-body")).to_have_text(markup)
    expect(item.locator("[data-anchor-status]")).to_contain_text(
        "passage not in the current text"
    )
    item.get_by_role("link", name=re.compile("Show in the text")).click()
    expect(page.locator("[data-announce]")).to_have_text(
        "The passage is no longer in the text: it was rewritten or removed."
    )
    assert dialogs == [] and page.title() != "owned"


def test_sent_back_form_accessibility(page, site_server, demo, comments):
    """axe finds no serious or critical violations in the panel at the top
    and the checklist (the rest of the form has tests of its own)."""
    at_1280_by_800(page)
    open_from_the_dashboard(page, site_server, SENT_BACK)
    results = Axe().run(
        page, context={"include": [["#sent-back"], [".preflight-checklist"]]}
    )
    serious = [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert serious == []


FIND = """async ([source, anchor, markdown]) => {
  const src = document.querySelector("script[src*='on-the-form']").src;
  const { findPassage } = await import(src);
  const found = findPassage(source, anchor, markdown);
  return found && source.slice(found.start, found.end);
}"""


PASSAGES = [
    # Emphasis, a link's address and a citation key are not words of the page.
    (
        "Take **folic acid** [daily](https://nhs.uk/x) [@nice2019] now.",
        {"quote": "folic acid daily [1] now"},
        True,
        "folic acid** [daily](https://nhs.uk/x) [@nice2019] now",
    ),
    # A citation renumbered since the comment: [1] then, [2] now.
    (
        "Rest [2]. Drink water.",
        {"quote": "Rest [1]. Drink water"},
        False,
        "Rest [2]. Drink water",
    ),
    # Two occurrences: the words around the quote choose.
    (
        "Call your GP. If it gets worse, call your GP at once.",
        {"quote": "call your GP", "prefix": "it gets worse, ", "suffix": " at"},
        True,
        "call your GP",
    ),
    ("Nothing like it here.", {"quote": "a rewritten passage"}, True, None),
    ("Numbers 1 2 3.", {"quote": "1 2"}, True, None),
]


def test_a_passage_is_found_by_its_words(page, site_server, demo, comments):
    """What the reviewer quoted from the page is found in the Markdown."""
    open_from_the_dashboard(page, site_server, SENT_BACK)
    for source, anchor, markdown, expected in PASSAGES:
        assert page.evaluate(FIND, [source, anchor, markdown]) == expected, source


# The dashboard ---------------------------------------------------------------


def test_dashboard_shows_the_comment_whole_or_cut_at_a_word_with_more(
    page, site_server, demo
):
    """The demo's comment whole; a long one cut at a word, "more" showing all."""
    writer = User.objects.get(username="writer")
    reviewer = User.objects.get(username="reviewer")
    article = Article.objects.get(slug="miscarriage-what-happens-next")
    article.authors.add(writer.contributor)
    article.body += "\nWaiting can take up to 14 days [@nice2019].\n"
    article.save()
    article.save_revision(by=writer)
    article.submit_for_review(by=writer)
    long_comment = (
        "The waiting times need the guideline's own words. " * 8
        + "Check the 14 days against NG126 section 1.5.1 before resubmitting."
    )
    article.request_changes(by=reviewer, comment=long_comment)

    at_1280_by_800(page)
    login(page, site_server, "writer")
    page.get_by_role("link", name="Dashboard").click()
    group = page.locator("#waiting-changes")
    demo_item = group.locator("li", has_text=SENT_BACK)
    expect(demo_item.locator(".waiting-full")).to_contain_text(
        "The hormone statement needs a verifiable reference too."
    )
    item = group.locator("li", has_text=article.title)
    teaser = item.locator(".waiting-teaser")
    shown = teaser.inner_text().strip("“…”")
    assert long_comment.startswith(shown)
    assert long_comment[len(shown)] == " ", "cut inside a word"
    expect(item.locator(".waiting-full")).to_be_hidden()
    item.get_by_text("more", exact=True).click()
    expect(item.locator(".waiting-full")).to_be_visible()
    expect(item.locator(".waiting-full")).to_contain_text(
        "section 1.5.1 before resubmitting."
    )
    expect(teaser).to_be_hidden()
    item.get_by_text("less", exact=True).click()
    expect(item.locator(".waiting-full")).to_be_hidden()


# A long article in review ------------------------------------------------------

SUBJECTS = ["Most people", "Your midwife", "A large study", "The guideline", "Your GP"]
CLAIMS = [
    "found that bleeding in early pregnancy is common",
    "advised rest and fluids for mild symptoms",
    "showed that most pregnancies continue normally",
    "recommended a scan when pain comes with bleeding",
]


def long_body(words: int, edit: int = 0) -> str:
    """About `words` words in sections of paragraphs; every `edit`th sentence
    reworded when `edit` is set."""
    sentences, count, n = [], 0, 0
    while count < words:
        sentence = (
            f"{SUBJECTS[n % len(SUBJECTS)]} {CLAIMS[n % len(CLAIMS)]}, in sample "
            f"{n} of this text [@najmabadi2021]."
        )
        if edit and n % edit == 0:
            sentence = sentence.replace("this text", "the revised text")
        sentences.append(sentence)
        count += len(sentence.split())
        n += 1
    blocks = []
    for start in range(0, len(sentences), 5):
        if start % 40 == 0:
            blocks.append(f"## Part {start // 40 + 1}")
        blocks.append(" ".join(sentences[start : start + 5]))
    return "\n\n".join(blocks)


@pytest.fixture
def long_in_review(demo):
    """A 5,000-word article, approved once, then edited and in review again."""
    writer = User.objects.get(username="writer")
    reviewer = User.objects.get(username="reviewer")
    article = Article.objects.get(title=SENT_BACK)
    for body, step in ((long_body(5_000), "approve"), (long_body(5_000, 5), "")):
        article.body = body
        article.save()
        article.save_revision(by=writer)
        article.submit_for_review(by=writer)
        if step:
            article.approve(by=reviewer, comment="Accurate.")
    assert len(article.body.split()) >= 5_000
    return article


@pytest.mark.parametrize("username", ["writer", "editor"])
def test_a_long_article_in_review_opens_with_the_editor(
    page, site_server, long_in_review, username
):
    """The editor is in the first screen; the changes are one click away."""
    at_1280_by_800(page)
    login(page, site_server, username)
    page.get_by_role("link", name="Articles", exact=True).first.click()
    page.get_by_role("link", name=SENT_BACK).click()
    body = page.locator("#id_body")
    expect(body).to_be_visible()
    assert in_first_viewport(body), f"the editor starts at {top_of(body)} px"
    changes = page.locator("details.review-changes")
    assert in_first_viewport(changes)
    expect(changes.locator("summary")).to_contain_text(
        "What changed since the last approved revision"
    )
    expect(changes.locator(".diff").first).to_be_hidden()
    changes.locator("summary").click()
    expect(changes.locator("ins").first).to_be_visible()
    expect(changes.locator("del").first).to_be_visible()
