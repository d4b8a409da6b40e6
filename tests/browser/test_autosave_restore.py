"""Restoring the text kept in the browser restores everything the form needs
to be saved: the slug of a new article, and the topics, authors and
references chosen (issue 16, finding 2)."""

import re

import pytest
from playwright.sync_api import expect

from articles.models import Article
from tests.browser.conftest import login

pytestmark = pytest.mark.browser

ADD = "/admin/articles/article/add/"
KEPT = """() => Object.entries(localStorage)
    .filter(([key]) => key.startsWith('editorial-draft:'))
    .map(([, value]) => value).join('')"""


def start_a_new_article(page, site_server, title: str) -> None:
    login(page, site_server, "writer")
    page.goto(site_server.url + ADD)
    page.fill("#id_title", title)
    page.fill("#id_summary", "What the research says, in two sentences.")
    page.fill("#id_body", "## What we know\n\nThe fertile window [@najmabadi2021].\n")
    page.select_option("#id_topics_from", label="Fertility")
    page.click("#id_topics_add")


def reload_and_restore(page, kept: str) -> None:
    """Wait until the browser keeps `kept`, close the page as a crash would
    (the leave prompt accepted), open it again and restore."""
    page.wait_for_function(f"() => ({KEPT})().includes({kept!r})")
    page.on("dialog", lambda dialog: dialog.accept())
    page.reload()
    offer = page.locator(".draft-restore")
    expect(offer).to_contain_text("Restore unsaved text?")
    expect(page.locator("#id_slug")).to_have_value("")
    offer.get_by_role("button", name="Restore").click()
    expect(offer).to_contain_text("Text restored")


def save(page) -> None:
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")


def test_a_restored_new_article_saves_with_its_slug_and_topic(page, site_server, demo):
    """Title, body and a topic typed on the add form, the page reloaded and
    the text restored: the slug is back, and the article saves."""
    start_a_new_article(page, site_server, "Tracking basal body temperature")
    expect(page.locator("#id_slug")).to_have_value("tracking-basal-body-temperature")
    reload_and_restore(page, "Fertility")
    expect(page.locator("#id_slug")).to_have_value("tracking-basal-body-temperature")
    expect(page.locator("#id_topics_to option")).to_have_text(["Fertility"])
    expect(page.locator("#id_title")).to_have_value("Tracking basal body temperature")
    save(page)
    expect(page.locator(".errornote")).to_have_count(0)
    article = Article.objects.get(slug="tracking-basal-body-temperature")
    assert article.title == "Tracking basal body temperature"
    assert [t.name for t in article.topics.all()] == ["Fertility"]
    assert "[@najmabadi2021]" in article.body


def test_a_slug_typed_by_hand_comes_back_as_typed(page, site_server, demo):
    """A slug the writer changed stays theirs after restoring; it no longer
    follows the title."""
    start_a_new_article(page, site_server, "Charting your cycle")
    page.fill("#id_slug", "cycle-charting")
    reload_and_restore(page, "cycle-charting")
    expect(page.locator("#id_slug")).to_have_value("cycle-charting")
    page.fill("#id_title", "Charting your cycle, month by month")
    expect(page.locator("#id_slug")).to_have_value("cycle-charting")
    save(page)
    assert Article.objects.filter(slug="cycle-charting").exists()


def test_the_slug_follows_the_title_until_changed_by_hand(page, site_server, demo):
    """As the admin's prepopulated slug does: accents folded, punctuation
    dropped; once edited by hand, the title no longer changes it."""
    login(page, site_server, "writer")
    page.goto(site_server.url + ADD)
    slug = page.locator("#id_slug")
    page.locator("#id_title").press_sequentially("Café & crèche: what's safe?")
    expect(slug).to_have_value("cafe-creche-whats-safe")
    slug.fill("cafe-safety")
    page.locator("#id_title").press_sequentially(" Really")
    expect(slug).to_have_value("cafe-safety")


def test_chosen_references_come_back(page, site_server, demo):
    """A reference attached in the autocomplete (select2) is restored too."""
    start_a_new_article(page, site_server, "Progesterone in early pregnancy")
    page.locator(".field-references .select2-selection").click()
    page.keyboard.type("coomarasamy")
    page.locator(".select2-results__option", has_text="Coomarasamy").first.click()
    reload_and_restore(page, "coomarasamy")
    chosen = page.locator(".field-references .select2-selection__choice")
    expect(chosen).to_have_count(1)
    expect(chosen).to_contain_text(re.compile("Coomarasamy", re.I))
    save(page)
    article = Article.objects.get(slug="progesterone-in-early-pregnancy")
    # With the one the body cites, attached on save.
    keys = {r.citation_key for r in article.references.all()}
    assert keys == {"coomarasamy2015", "najmabadi2021"}
