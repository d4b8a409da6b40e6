"""A correction, as a newcomer tries it on the demo: the writer fixes a live
article and classifies the fix as a correction with its note; the reviewer
confirms the class; the editor publishes; the reader finds the note at the
top of the page and on /corrections/."""

import re

import pytest
from playwright.sync_api import expect

from articles.models import Article
from tests.browser.accessibility import serious_violations
from tests.browser.conftest import login, logout, screenshot

pytestmark = pytest.mark.browser

SLUG = "cervical-mucus-fertile-window"
NOTE = "We previously said the analysis followed 528 women. It followed 331 women."


def test_a_correction_from_writer_to_reader(page, site_server, demo):
    article = Article.objects.get(slug=SLUG)
    change_url = f"{site_server.url}/admin/articles/article/{article.pk}/change/"

    # The writer fixes the figure and says it is a correction.
    login(page, site_server, "writer")
    page.goto(change_url)
    page.fill("#id_body", article.body.replace("528 women", "331 women"))
    page.check("input[name=change_class][value=correction]")
    page.click("input[name=_continue]")
    # A correction needs its note: the form says so and keeps the text.
    expect(page.locator(".errorlist")).to_contain_text("needs a note")
    expect(page.locator("#id_body")).to_have_value(re.compile("from 331 women"))
    page.fill("#id_correction_note", NOTE)
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.locator(".workflow-menu").get_by_role(
        "button", name="Submit for medical review"
    ).click()
    expect(page.locator(".messagelist")).to_contain_text("submitted")
    logout(page, site_server)

    # Nothing public yet.
    page.goto(f"{site_server.url}/articles/{SLUG}/")
    expect(page.locator(".correction-notice")).to_have_count(0)

    # The reviewer sees the class and note, and confirms the class.
    login(page, site_server, "reviewer")
    page.goto(f"{site_server.url}/admin/articles/article/{article.pk}/review/")
    decision = page.locator(".review-decision")
    expect(decision.locator(".decision-class")).to_contain_text(NOTE)
    for box in decision.locator("input[name=checklist]").all():
        box.check()
    decision.locator("input[name=interests][value=none]").check()
    decision.locator("input[name=change_class][value=correction]").check()
    screenshot(page, "reviewer-confirms-correction.png")
    decision.get_by_role("button", name="Approve").click()
    expect(page.locator(".messagelist")).to_contain_text("You approved")
    logout(page, site_server)

    # Approved, not published: still nothing public.
    page.goto(f"{site_server.url}/corrections/")
    expect(page.locator("main")).to_contain_text("No corrections yet.")

    login(page, site_server, "editor")
    page.goto(change_url)
    page.locator(".workflow-menu").get_by_role(
        "button", name="Publish the approved revision"
    ).click()
    expect(page.locator(".messagelist")).to_contain_text("published")
    logout(page, site_server)

    # The reader: the note at the top of the page, with its date.
    page.goto(f"{site_server.url}/articles/{SLUG}/")
    notice = page.locator(".correction-notice")
    expect(notice).to_contain_text("Correction, ")
    expect(notice).to_contain_text(NOTE)
    expect(page.locator(".update-history")).to_contain_text(f"Correction: {NOTE}")
    assert serious_violations(page) == []
    screenshot(page, "reader-correction.png")

    # ...and on /corrections/, linking back to the article.
    notice.get_by_role("link", name="every correction we have made").click()
    listing = page.locator(".correction-list")
    expect(listing).to_contain_text(NOTE)
    listing.get_by_role("link").first.click()
    expect(page).to_have_url(f"{site_server.url}/articles/{SLUG}/")
