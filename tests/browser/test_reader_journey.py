"""A reader browses, follows a citation to its reference, and searches."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import serious_violations
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

PUBLIC_PAGES = [
    "/",
    "/articles/progesterone-and-miscarriage/",
    "/topics/pregnancy-loss/",
    "/contributors/priya-raman/",
    "/search/?q=progesterone",
    "/editorial-policy/",
]


def test_reader_journey(page, site_server, demo):
    """Home → topic → article → citation → reference → search → result."""
    page.goto(site_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Health articles")
    page.get_by_role("link", name="Pregnancy loss").first.click()
    expect(page).to_have_url(re.compile(r"/topics/pregnancy-loss/$"))
    page.get_by_role("link", name=re.compile("Progesterone and miscarriage")).click()
    expect(page.locator(".reviewed-by")).to_contain_text(
        "Medically reviewed by Dr Priya Raman, MD, FACOG"
    )
    page.locator("sup.citation a").first.click()
    expect(page).to_have_url(re.compile(r"#ref-1$"))
    reference = page.locator("#ref-1")
    expect(reference).to_be_visible()
    expect(reference).to_contain_text("Coomarasamy A")
    expect(reference.get_by_role("link", name="DOI")).to_have_attribute(
        "href", "https://doi.org/10.1056/NEJMoa1504927"
    )
    page.get_by_label("Search articles").fill("progesterone bleeding")
    page.get_by_role("button", name="Search").first.click()
    expect(page.locator("[role=status]")).to_contain_text("result")
    page.locator(".search-results a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Progesterone")


def test_article_screenshots_desktop_and_phone(page, site_server, demo):
    """The article page at 1280 px and at 360 px, saved for the README."""
    url = site_server.url + "/articles/progesterone-and-miscarriage/"
    page.goto(url)
    screenshot(page, "article-desktop.png")
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(url)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, "the page scrolls sideways on a phone"
    screenshot(page, "article-phone.png")


def test_reading_needs_no_javascript(browser, site_server, demo):
    """With JavaScript off, the article and its references are all there."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_server.url + "/articles/progesterone-and-miscarriage/")
    expect(page.locator("#ref-3")).to_contain_text("National Institute")
    expect(page.locator(".review-dates")).to_contain_text("Next review due")
    context.close()


def test_print_stylesheet_keeps_references_and_dates(page, site_server, demo):
    """Printed, the article keeps its references and review dates."""
    page.goto(site_server.url + "/articles/progesterone-and-miscarriage/")
    page.emulate_media(media="print")
    expect(page.locator(".references")).to_be_visible()
    expect(page.locator(".review-dates")).to_be_visible()
    expect(page.locator(".toc")).to_be_hidden()


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_no_serious_accessibility_violations(page, site_server, demo, path):
    """axe-core finds no serious or critical violations."""
    page.goto(site_server.url + path)
    assert serious_violations(page) == []
