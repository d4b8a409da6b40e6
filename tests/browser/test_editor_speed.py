"""The editor's speed, in what can be counted rather than timed (issue 16,
findings 4 and 7): the change form's requests from an empty cache, a
preview that keeps up while the keys keep coming, answers that never go
back in time, and updates that replace only what changed.
benchmarks/desk_browser.py has the timings."""

import contextlib

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from articles.models import Article
from tests.browser.conftest import login

pytestmark = pytest.mark.browser

DRAFT = "folic-acid-before-pregnancy"
PREVIEW = "**/admin/markdownx/markdownify/"
# The most requests the change form may make before it is ready and quiet.
REQUESTS = 30


def change_url(site_server) -> str:
    article = Article.objects.get(slug=DRAFT)
    return f"{site_server.url}/admin/articles/article/{article.pk}/change/"


def open_draft(page, site_server):
    login(page, site_server, "writer")
    page.goto(change_url(site_server))
    expect(page.locator("html[data-editor=ready]")).to_have_count(1)
    body = page.locator("#id_body")
    body.press("Control+End")
    return body


@pytest.mark.parametrize(
    "username, slug",
    [
        ("writer", DRAFT),  # a draft
        ("writer", "cervical-mucus-and-miscarriage"),  # sent back, with its panel
        ("editor", "bleeding-in-early-pregnancy"),  # in review: locked, changes folded
    ],
)
def test_the_change_form_needs_at_most_30_requests(
    browser, site_server, demo, username, slug
):
    """From an empty cache, everything the article form loads until the
    editor is ready and the network is quiet: the page, styles, scripts,
    images, the favicon. The preview and the jargon list come with the page."""
    login_context = browser.new_context()
    login(login_context.new_page(), site_server, username)
    session = login_context.storage_state()
    login_context.close()
    # A new context: logged in, nothing cached.
    context = browser.new_context(
        storage_state=session, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    article = Article.objects.get(slug=slug)
    page.goto(f"{site_server.url}/admin/articles/article/{article.pk}/change/")
    expect(page.locator("html[data-editor=ready]")).to_have_count(1)
    expect(page.locator(".markdownx-preview .article-preview")).not_to_be_empty()
    page.wait_for_load_state("networkidle")
    context.close()
    assert len(requests) <= REQUESTS, "\n".join(requests)
    assert not [url for url in requests if "markdownify" in url or "jargon" in url]


def test_citing_and_images_load_when_first_needed(page, site_server, demo):
    """The form loads without the citation picker and the image dialog; the
    Cite button, pressed first thing, loads the picker and opens its dialog."""
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    login(page, site_server, "writer")
    page.goto(change_url(site_server))
    expect(page.locator("html[data-editor=ready]")).to_have_count(1)
    page.wait_for_load_state("networkidle")
    assert not [url for url in requested if "/editorial/cite/" in url]
    assert not [url for url in requested if "/editorial/images/" in url]
    page.locator(".editor-toolbar").get_by_role("button", name="Cite").click()
    expect(page.get_by_role("dialog", name="Cite a source")).to_be_visible()
    assert [url for url in requested if "/editorial/cite/picker." in url]


def test_the_preview_keeps_up_while_the_keys_keep_coming(page, site_server, demo):
    """Typing on at about eight keys a second, the preview shows the text
    several times before the last key (markdownx waited for a pause)."""
    body = open_draft(page, site_server)
    body.type(" Zq")
    expect(page.locator(".markdownx-preview")).to_contain_text("Zq")
    page.evaluate(
        """() => {
          const preview = document.querySelector(".markdownx-preview");
          window.shown = [];
          new MutationObserver(() => {
            const match = /Zq([a-z]*)/.exec(preview.textContent);
            window.shown.push(match ? match[1].length : -1);
          }).observe(preview, {childList: true, subtree: true, characterData: true});
        }"""
    )
    typed = "abcdefghijklmnopqrst"
    body.press_sequentially(typed, delay=120)
    before_the_last_key = page.evaluate("window.shown.filter(n => n < 20).length")
    expect(page.locator(".markdownx-preview")).to_contain_text("Zq" + typed)
    assert before_the_last_key >= 3


def test_an_older_answer_never_replaces_a_newer_one(page, site_server, demo):
    """The server answers out of order: the first request is held, the next
    is answered and shown; the held one, answered last, changes nothing,
    and was given up once the newer answer was shown."""
    body = open_draft(page, site_server)
    held = []
    given_up = []

    def hold_the_first(route):
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route(PREVIEW, hold_the_first)
    page.on(
        "requestfailed",
        lambda request: given_up.append(request) if "markdownify" in request.url else 0,
    )
    body.type(" Older")
    page.wait_for_timeout(300)
    assert len(held) == 1
    # A request unanswered for a second no longer holds the next one back.
    body.type(" newer")
    preview = page.locator(".markdownx-preview")
    expect(preview).to_contain_text("Older newer")
    # The page has given the request up: answering it may fail.
    with contextlib.suppress(PlaywrightError):
        held[0].fulfill(
            content_type="text/html",
            body='<div class="article-preview"><p>A stale answer.</p></div>',
        )
    page.wait_for_timeout(500)
    expect(preview).to_contain_text("Older newer")
    expect(preview).not_to_contain_text("A stale answer")
    assert len(given_up) == 1


def test_an_update_replaces_only_what_changed(page, site_server, demo):
    """The paragraphs an edit did not touch stay the same nodes, and the
    preview stays where it was scrolled to."""
    body = open_draft(page, site_server)
    paragraphs = "".join(f"Paragraph {n} of the article.\n\n" for n in range(60))
    body.fill(paragraphs + "The end.")
    preview = page.locator(".markdownx-preview")
    expect(preview).to_contain_text("The end.")
    page.evaluate(
        """() => {
          const preview = document.querySelector(".markdownx-preview");
          document.getElementById("id_body").blur();
          preview.scrollTop = 400;
          window.first = preview.querySelector("p");
          window.scrolled = preview.scrollTop;
        }"""
    )
    body.evaluate(
        """area => {
          area.value = area.value.replace("The end.", "The very end.");
          area.dispatchEvent(new Event("input", {bubbles: true}));
        }"""
    )
    expect(preview).to_contain_text("The very end.")
    assert page.evaluate(
        "() => document.querySelector('.markdownx-preview p') === window.first"
    )
    scrolled = "document.querySelector('.markdownx-preview').scrollTop"
    assert page.evaluate(f"() => {scrolled} === window.scrolled")
