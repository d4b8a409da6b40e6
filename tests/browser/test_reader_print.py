"""Printed, an article keeps what a reader needs on paper and drops the rest."""

import pytest
from playwright.sync_api import expect

from articles.models import Article, Listing
from tests.browser.accessibility import serious_violations

pytestmark = pytest.mark.browser

ARTICLE = "/articles/progesterone-and-miscarriage/"
SCREEN_ONLY = [".site-search", ".site-header nav", ".breadcrumb", ".related"]


def test_print_drops_search_navigation_and_related(page, site_server, demo):
    """Search, navigation, the breadcrumb and related articles are not printed."""
    shown_with_related = Article.objects.get(
        pk=Listing.objects.filter(kind=Listing.Kind.RELATED).values("key")[:1]
    )
    page.goto(site_server.url + shown_with_related.get_absolute_url())
    for selector in SCREEN_ONLY:
        expect(page.locator(selector).first).to_be_visible()
    page.emulate_media(media="print")
    for selector in SCREEN_ONLY:
        expect(page.locator(selector).first).to_be_hidden()


def test_print_shows_the_page_url_and_review_dates(page, site_server, demo):
    """On paper the page says where it came from and when it was reviewed."""
    page.goto(site_server.url + ARTICLE)
    address = page.locator(".print-url")
    expect(address).to_be_hidden()
    page.emulate_media(media="print")
    expect(address).to_be_visible()
    expect(address).to_contain_text(f"http://127.0.0.1:8000{ARTICLE}")
    dates = page.locator(".review-dates")
    expect(dates).to_be_visible()
    expect(dates).to_contain_text("Page last reviewed")
    expect(dates).to_contain_text("Next review due")
    expect(page.locator(".reviewed-by")).to_be_visible()


@pytest.mark.parametrize("path", ["/contributors/wendy-hart/", "/topics/fertility/"])
def test_contributor_and_topic_pages_pass_axe(page, site_server, demo, path):
    """The writer's profile (with its "Written by" list) and a topic page have
    no serious or critical accessibility violations."""
    page.goto(site_server.url + path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert serious_violations(page) == []
