"""Search as docs/search.md shows it, on the demo content at 1280×800: a
reader's misspelling corrected, and the editors' box of what readers did not
find. `make screenshots` saves the screens to docs/screenshots/."""

import pytest
from playwright.sync_api import expect

from articles.models import DailyQuery
from tests.browser.conftest import screenshot_folder
from tests.browser.test_guide_screenshots import at_1280_by_800, open_dashboard, shot

pytestmark = pytest.mark.browser


def count(query: str, searches: int, clicks: int) -> None:
    """Readers' searches for `query` today, as the beacon and links count them."""
    for _ in range(searches):
        DailyQuery.objects.count_search(query, found=clicks > 0)
    for _ in range(clicks):
        DailyQuery.objects.count_click(query)


def test_a_misspelt_search_offers_the_word_meant(page, site_server, demo):
    """ "miscariage" finds nothing as typed: the page offers "miscarriage",
    shows what that finds, and each result says when it was last reviewed."""
    at_1280_by_800(page)
    page.goto(site_server.url + "/")
    box = page.get_by_role("combobox", name="Search articles")
    box.fill("miscariage")
    box.press("Enter")
    correction = page.locator(".search-correction")
    expect(correction).to_contain_text("Did you mean miscarriage?")
    main = page.locator("main")
    expect(
        main.get_by_role("link", name="Progesterone and miscarriage")
    ).to_be_visible()
    expect(main).to_contain_text("Last reviewed")
    correction.get_by_role("link", name="miscarriage").click()
    expect(page).to_have_url(site_server.url + "/search/?q=miscarriage")
    page.go_back()
    shot(page, "reader-search-did-you-mean.png")


def test_editors_see_what_readers_did_not_find(page, site_server, demo):
    """The dashboard lists unmet queries, most often first, each linked to
    its results, with a way to the synonyms."""
    count("heavy periods after coil", 9, 1)
    count("iron tablets constipation", 6, 0)
    count("period pain at night", 4, 1)
    open_dashboard(page, site_server, "editor")
    box = page.locator(".unmet-queries")
    box.scroll_into_view_if_needed()
    expect(box.get_by_role("heading")).to_have_text("What readers did not find")
    expect(box.locator("li")).to_have_text(
        [
            "heavy periods after coil: 8 times unmet",
            "iron tablets constipation: 6 times unmet, 6 searches found nothing",
            "period pain at night: 3 times unmet",
        ]
    )
    expect(box.get_by_role("link", name="Search synonyms")).to_be_visible()
    folder = screenshot_folder("editor-unmet-queries.png")
    folder.mkdir(parents=True, exist_ok=True)
    box.screenshot(path=str(folder / "editor-unmet-queries.png"))
    box.get_by_role("link", name="iron tablets constipation").click()
    expect(page).to_have_url(
        site_server.url + "/search/?q=iron%20tablets%20constipation"
    )


def test_a_long_unbroken_query_wraps_in_its_box(page, site_server, demo):
    """200 characters with no space (the longest query counted) stay inside
    the box: the dashboard is no wider than a 1280-pixel window."""
    count("x" * 200, 1, 0)
    open_dashboard(page, site_server, "editor")
    box = page.locator(".unmet-queries")
    expect(box.locator("li")).to_have_text(
        [f"{'x' * 200}: 1 time unmet, 1 search found nothing"]
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    link = box.locator("li a").bounding_box()
    outer = box.bounding_box()
    assert link["x"] + link["width"] <= outer["x"] + outer["width"]
