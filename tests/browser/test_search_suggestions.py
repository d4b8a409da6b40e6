"""Suggestions under the header's search box: the ARIA combobox pattern, by
keyboard and mouse, accessible with the list open, and a plain form without
JavaScript."""

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from tests.browser.accessibility import serious_violations
from tests.browser.conftest import screenshot
from tests.conftest import create_article, publish

pytestmark = pytest.mark.browser

PROGESTERONE = "Progesterone and miscarriage: what the trials show"


def search_box(page):
    return page.get_by_role("combobox", name="Search articles")


def test_typing_two_characters_suggests_titles_and_topics(page, site_server, demo):
    """One character suggests nothing; two open a listbox, counted aloud."""
    page.goto(site_server.url + "/")
    box = search_box(page)
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_attribute("aria-autocomplete", "list")
    box.press_sequentially("p")
    page.wait_for_timeout(400)
    expect(page.get_by_role("listbox")).to_be_hidden()
    box.press_sequentially("r")
    options = page.get_by_role("listbox", name="Suggestions").get_by_role("option")
    expect(options).to_have_text([PROGESTERONE, "Pregnancy loss (topic)"])
    expect(box).to_have_attribute("aria-expanded", "true")
    listbox_id = box.get_attribute("aria-controls")
    expect(page.locator(f"#{listbox_id}")).to_be_visible()
    expect(page.locator("[aria-live=polite]")).to_have_text(
        re.compile("^2 suggestions")
    )


def test_arrows_move_the_active_option_and_enter_opens_it(page, site_server, demo):
    """Down and Up move aria-activedescendant (wrapping); Enter opens the article."""
    page.goto(site_server.url + "/")
    box = search_box(page)
    box.press_sequentially("pr")
    options = page.get_by_role("option")
    expect(options).to_have_count(2)
    first, second = (options.nth(i).get_attribute("id") for i in range(2))
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", first)
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", second)
    expect(options.nth(0)).to_have_attribute("aria-selected", "false")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", first)
    box.press("ArrowUp")
    expect(box).to_have_attribute("aria-activedescendant", second)
    box.press("ArrowUp")
    expect(box).to_have_attribute("aria-activedescendant", first)
    expect(box).to_be_focused()
    box.press("Enter")
    expect(page).to_have_url(
        site_server.url + "/articles/progesterone-and-miscarriage/"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(PROGESTERONE)


def test_escape_closes_the_list_and_keeps_the_text(page, site_server, demo):
    """Escape closes the list; Enter then searches as the plain form does."""
    page.goto(site_server.url + "/")
    box = search_box(page)
    box.press_sequentially("ecto")
    expect(page.get_by_role("option")).to_have_text(
        ["Ectopic pregnancy: symptoms that need urgent care"]
    )
    box.press("ArrowDown")
    box.press("Escape")
    expect(page.get_by_role("listbox", include_hidden=True)).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).not_to_have_attribute("aria-activedescendant", re.compile("."))
    expect(box).to_have_value("ecto")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=ecto$"))


def test_a_click_on_a_topic_opens_it(page, site_server, demo):
    """The mouse picks an option as Enter does."""
    page.goto(site_server.url + "/")
    search_box(page).press_sequentially("pregnancy l")
    page.get_by_role("option", name="Pregnancy loss (topic)").click()
    expect(page).to_have_url(site_server.url + "/topics/pregnancy-loss/")


def test_no_serious_accessibility_violations_with_the_list_open(
    page, site_server, demo
):
    """axe-core passes with the listbox open and an option active."""
    page.goto(site_server.url + "/articles/progesterone-and-miscarriage/")
    box = search_box(page)
    box.press_sequentially("pr")
    expect(page.get_by_role("option")).to_have_count(2)
    box.press("ArrowDown")
    assert serious_violations(page) == []
    screenshot(page, "search-suggestions.png")


def test_markup_in_a_title_is_shown_as_text(page, site_server, demo):
    """Options are built from text: a title's markup is never parsed."""
    writer, reviewer, editor = (
        User.objects.get(username=name) for name in ("writer", "reviewer", "editor")
    )
    title = 'Zinc <img src=x onerror="window.pwned=1"> tablets'
    publish(
        create_article(writer, slug="zinc", title=title, body="Zinc [@nice2019]."),
        writer,
        reviewer,
        editor,
    )
    page.goto(site_server.url + "/")
    search_box(page).press_sequentially("zinc")
    expect(page.get_by_role("option")).to_have_text([title])
    assert page.locator(".suggest-list img").count() == 0
    assert page.evaluate("window.pwned") is None


def test_without_javascript_the_box_is_a_plain_search_form(browser, site_server, demo):
    """No combobox, no list: typing and Enter search."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_server.url + "/")
    assert page.get_by_role("combobox").count() == 0
    page.get_by_role("searchbox", name="Search articles").fill("progesterone")
    page.get_by_role("searchbox", name="Search articles").press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=progesterone$"))
    context.close()
