"""The change form's workflow menu offers only what is valid in the state and
for the user; editing an article in review asks first; the list fits 1280 px."""

import pytest
from playwright.sync_api import expect

from articles.models import Article
from tests.browser.conftest import login, logout, screenshot

pytestmark = pytest.mark.browser

MENU = ".workflow-menu button[name='CHANGE_FORM-action']"


def open_article(page, site_server, slug):
    pk = Article.objects.get(slug=slug).pk
    page.goto(f"{site_server.url}/admin/articles/article/{pk}/change/")


def buttons(page):
    return page.locator(MENU).all_inner_texts()


def test_the_menu_follows_the_state_and_the_role(page, site_server, demo):
    """Draft: Submit, no Withdraw. In review: the reviewer decides, the writer
    cannot. Approved: the editor publishes. Live: the editor may withdraw."""
    login(page, site_server, "writer")
    open_article(page, site_server, "folic-acid-before-pregnancy")
    assert buttons(page) == ["Submit for medical review"]
    open_article(page, site_server, "bleeding-in-early-pregnancy")
    expect(page.locator(".workflow-menu")).to_contain_text("In review")
    assert buttons(page) == []
    logout(page, site_server)

    login(page, site_server, "reviewer")
    open_article(page, site_server, "bleeding-in-early-pregnancy")
    assert buttons(page) == [
        "Approve (medical review)",
        "Request changes (medical review)",
    ]
    screenshot(page, "admin-action-menu.png")
    page.get_by_role("button", name="Approve (medical review)").click()
    expect(page.get_by_role("heading", name="Approve for publication")).to_be_visible()
    page.fill("[name=comment]", "Safety advice is clear.")
    for box in page.locator("input[name=checklist]").all():
        box.check()
    page.check("input[name=interests][value=none]")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("1 article approved")
    logout(page, site_server)

    login(page, site_server, "editor")
    open_article(page, site_server, "bleeding-in-early-pregnancy")
    assert buttons(page) == [
        "Publish the approved revision",
        "Schedule publication of the approved revision",
    ]
    page.get_by_role("button", name="Publish the approved revision").click()
    expect(page.locator(".messagelist")).to_contain_text("1 article published")
    assert "Withdraw from the site" in buttons(page)
    assert "Submit for medical review" not in buttons(page)


def test_editing_an_article_in_review_asks_first(page, site_server, demo):
    """The form stays read-only until “Edit anyway”, which says what saving
    does; the save then returns the article to draft."""
    login(page, site_server, "writer")
    open_article(page, site_server, "bleeding-in-early-pregnancy")
    notice = page.locator("[data-review-lock]")
    expect(notice).to_contain_text("returns the article to draft")
    expect(notice).to_contain_text("withdraws the review request")
    expect(page.locator("#id_title")).to_be_disabled()
    expect(page.locator("input[name=_continue]")).to_be_disabled()
    screenshot(page, "admin-edit-anyway.png")
    page.get_by_role("button", name="Edit anyway").click()
    expect(page.locator("#id_title")).to_be_enabled()
    expect(notice.locator(".review-lock-status")).to_contain_text("You are editing")
    page.fill("#id_title", "Bleeding in early pregnancy: when to get help now")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(page.locator("[data-review-lock]")).to_have_count(0)
    article = Article.objects.get(slug="bleeding-in-early-pregnancy")
    assert article.status == Article.Status.DRAFT


@pytest.mark.parametrize("username", ["writer", "editor"])
def test_the_article_list_fits_1280_pixels(page, site_server, demo, username):
    """No horizontal scrollbar on the change list at 1280 px."""
    login(page, site_server, username)
    page.goto(f"{site_server.url}/admin/articles/article/")
    expect(page.locator("#result_list")).to_be_visible()
    overflow = page.evaluate(
        """() => [document.documentElement, document.querySelector(".results")]
            .map((box) => box.scrollWidth - box.clientWidth)"""
    )
    assert overflow == [0, 0]
