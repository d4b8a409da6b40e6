"""Autosaved drafts belong to the person who typed them: they leave the
browser at log-out, and the next person at the computer is never offered
them (issue 15)."""

import pytest
from playwright.sync_api import expect

from articles.models import Article
from tests.browser.conftest import login

pytestmark = pytest.mark.browser

DRAFT = "folic-acid-before-pregnancy"
TYPED = "Private words only the writer has seen."
# Everything this origin keeps in the browser's storage, as one string.
STORED = "() => JSON.stringify([{...localStorage}, {...sessionStorage}])"


def change_url(site_server) -> str:
    article = Article.objects.get(slug=DRAFT)
    return f"{site_server.url}/admin/articles/article/{article.pk}/change/"


def type_a_draft(page, site_server) -> None:
    """The writer types in the body and the editor keeps it in the browser."""
    login(page, site_server, "writer")
    page.goto(change_url(site_server))
    body = page.locator("#id_body")
    body.press("Control+End")
    body.press_sequentially(" " + TYPED)
    page.wait_for_function(f"() => ({STORED})().includes({TYPED!r})")
    # The unsaved-changes warning asks before leaving; the writer leaves.
    page.on("dialog", lambda dialog: dialog.accept())


def log_out(page) -> dict:
    """Press the admin's "Log out"; the response's headers."""
    with page.expect_response(lambda r: r.url.endswith("/admin/logout/")) as answer:
        page.locator("#logout-form button").click()
    expect(page.locator("#content h1")).to_contain_text("Logged out")
    return answer.value.all_headers()


def test_logging_out_clears_the_draft_and_the_editor_is_offered_nothing(
    page, site_server, demo
):
    """The writer types and logs out: the storage holds none of it, on the
    admin's page or a public one, and the editor who logs in next at the same
    browser opens the same article with no offer to restore."""
    type_a_draft(page, site_server)
    log_out(page)
    page.wait_for_function(f"() => !({STORED})().includes({TYPED!r})")
    page.goto(f"{site_server.url}/")
    assert TYPED not in page.evaluate(STORED)

    login(page, site_server, "editor")
    page.goto(change_url(site_server))
    expect(page.locator(".editor-toolbar")).to_be_visible()
    expect(page.locator(".draft-restore")).to_have_count(0)
    assert TYPED not in page.locator("#id_body").input_value()
    assert TYPED not in page.evaluate(STORED)


def test_clear_site_data_alone_empties_the_storage_in_chromium(page, site_server, demo):
    """With the logged-out page's module blocked, Chromium's handling of the
    log-out's `Clear-Site-Data: "storage"` removes the draft by itself."""
    type_a_draft(page, site_server)
    page.route("**/editorial/logged-out.*js", lambda route: route.abort())
    headers = log_out(page)
    assert headers["clear-site-data"] == '"storage"'
    assert TYPED not in page.evaluate(STORED)


def test_the_logged_out_page_removes_drafts_without_clear_site_data(
    page, site_server, demo
):
    """For browsers that ignore the header: with it taken off the answer, the
    logged-out page's module removes the draft."""
    type_a_draft(page, site_server)

    def without_the_header(route):
        response = route.fetch()
        headers = {
            name: value
            for name, value in response.headers.items()
            if name.lower() != "clear-site-data"
        }
        route.fulfill(response=response, headers=headers)

    page.route("**/admin/logout/", without_the_header)
    assert "clear-site-data" not in log_out(page)
    page.wait_for_function(f"() => !({STORED})().includes({TYPED!r})")


def test_another_person_opening_the_form_removes_the_draft(page, site_server, demo):
    """A session that ended without a log-out (it expired, the cookies were
    cleared): the next person to open the form is offered nothing, and the
    draft is gone from the browser."""
    type_a_draft(page, site_server)
    page.context.clear_cookies()
    login(page, site_server, "editor")
    assert TYPED in page.evaluate(STORED)
    page.goto(change_url(site_server))
    expect(page.locator(".editor-toolbar")).to_be_visible()
    expect(page.locator(".draft-restore")).to_have_count(0)
    page.wait_for_function(f"() => !({STORED})().includes({TYPED!r})")
    assert TYPED not in page.locator("#id_body").input_value()


def test_the_writer_still_gets_their_own_draft_back(page, site_server, demo):
    """Keyed by person, the draft is still offered to the one who typed it."""
    type_a_draft(page, site_server)
    page.reload()
    offer = page.locator(".draft-restore")
    expect(offer).to_contain_text("Restore unsaved text?")
    offer.get_by_role("button", name="Restore").click()
    assert page.locator("#id_body").input_value().endswith(TYPED)
