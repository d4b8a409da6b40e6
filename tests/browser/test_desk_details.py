"""Details of the desk found in a day's real use, in a real browser: a wide
figure never lies over the decision buttons, and images stay in their column
on every desk page that shows the article."""

import re

import pytest
from playwright.sync_api import expect

from articles.models import Article
from tests.browser.conftest import login

pytestmark = pytest.mark.browser

SLUG = "bleeding-in-early-pregnancy"  # in review, with the demo's 900 px chart
OVERFLOWING = """() => [...document.querySelectorAll("#content img")]
  .filter((img) => img.getBoundingClientRect().width > 0)
  .map((img) => {
    const box = img.getBoundingClientRect();
    const column = img.parentElement.closest("div, section, article, td, li");
    const room = column.getBoundingClientRect();
    return box.right > room.right + 1 || box.left < room.left - 1 ? img.src : null;
  })
  .filter(Boolean)"""


def test_a_wide_figure_never_covers_the_decision(page, site_server, demo):
    """Before: the 900 px chart overflowed the 736 px column over Approve, and
    only the keyboard could approve. Now the reviewer approves with the mouse."""
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, site_server, "reviewer")
    article = Article.objects.get(slug=SLUG)
    page.goto(f"{site_server.url}/admin/articles/article/{article.pk}/review/")
    figure = page.locator(".review-article figure img")
    expect(figure).to_have_count(1)
    figure.scroll_into_view_if_needed()
    expect(figure).to_be_visible()
    chart = figure.bounding_box()
    side = page.locator(".review-side").bounding_box()
    assert chart["width"] < 900  # scaled to its column
    assert chart["x"] + chart["width"] <= side["x"], (chart, side)
    assert page.evaluate(OVERFLOWING) == []
    for box in page.locator("input[name=checklist]").all():
        box.click()
    page.locator("input[name=interests][value=none]").click()
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text(re.compile("[Aa]pproved"))
    article.refresh_from_db()
    assert article.status == "approved"


def test_images_stay_in_their_column_on_every_desk_page(page, site_server, demo):
    """The editor's preview, the revision shown on the form, the review
    screen, compare and history: no image overflows its column."""
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, site_server, "editor")
    article = Article.objects.get(slug=SLUG)
    base = f"{site_server.url}/admin/articles/article/{article.pk}"
    for path in ["/change/", "/review/", "/review/?view=source", "/compare/"]:
        page.goto(base + path)
        page.wait_for_load_state("load")
        assert page.evaluate(OVERFLOWING) == [], path
    page.goto(base + "/history/")
    assert page.evaluate(OVERFLOWING) == []
    page.goto(base + "/change/")
    preview = page.locator(".markdownx-preview figure img")
    expect(preview).to_have_count(1)
    column = page.locator(".markdownx-preview").bounding_box()
    image = preview.bounding_box()
    assert image["x"] + image["width"] <= column["x"] + column["width"] + 1


def test_an_article_without_a_topic_cannot_go_to_review(page, site_server, demo):
    """The checklist says a topic is missing, and submitting says so too;
    the slug's help shows a whole address."""
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, site_server, "writer")
    page.goto(site_server.url + "/admin/articles/article/add/")
    expect(page.locator(".field-slug .help")).to_contain_text(
        "/articles/cervical-mucus-fertile-window/"
    )
    page.fill("#id_title", "Spotting after ovulation")
    page.fill("#id_summary", "What light bleeding mid-cycle can mean.")
    page.fill(
        "#id_meta_description",
        "Light bleeding around ovulation is common. Learn what it can mean, when "
        "it is nothing to worry about and when to see your GP about it.",
    )
    page.fill("#id_body", "Mid-cycle spotting is common [@najmabadi2021].\n")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    expect(page.locator(".preflight-checklist")).to_contain_text(
        "The article has no topic"
    )
    page.locator(".workflow-menu").get_by_role(
        "button", name="Submit for medical review"
    ).click()
    expect(page.locator(".messagelist")).to_contain_text("no topic")
    assert Article.objects.get(title="Spotting after ovulation").status == "draft"


def test_what_is_hidden_stays_hidden(page, site_server, demo):
    """The admin's .errornote is display: block, which showed empty red boxes
    under the alt text and the comment box; the hidden attribute now wins."""
    login(page, site_server, "reviewer")
    article = Article.objects.get(slug=SLUG)
    for path in ["change", "review"]:
        page.goto(f"{site_server.url}/admin/articles/article/{article.pk}/{path}/")
        shown = page.evaluate(
            """() => [...document.querySelectorAll("[hidden]")]
                .filter((e) => getComputedStyle(e).display !== "none")
                .map((e) => e.outerHTML.slice(0, 80))"""
        )
        assert shown == [], path
