"""Writer drafts with a live preview, reviewer approves, editor publishes."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login, logout

pytestmark = pytest.mark.browser

BODY = (
    "## What we know\n\n"
    "The fertile window lines up with mucus changes [@najmabadi2021].\n"
)


def run_action(page, action_label, **fields):
    page.locator(".workflow-menu").get_by_role("button", name=action_label).click()
    for name, value in fields.items():
        page.fill(f"[name='{name}']", value)
    if fields:
        page.locator("input[type=submit].default").click()


def test_write_review_publish_read(page, site_server, demo):
    """The whole editorial path through the real admin, then the public page."""
    login(page, site_server, "writer")
    page.goto(site_server.url + "/admin/articles/article/add/")
    page.fill("#id_title", "Tracking cervical mucus")
    page.fill("#id_summary", "How to notice the changes that mark your fertile days.")
    page.fill(
        "#id_meta_description",
        "Cervical mucus changes across the cycle. Learn what to look for, how it "
        "relates to the fertile window, and what the research shows.",
    )
    page.fill("#id_body", BODY)
    page.select_option("#id_topics_from", label="Fertility")
    page.click("#id_topics_add")
    preview = page.locator(".markdownx-preview")
    expect(preview.locator("sup.citation")).to_have_text("[1]")
    expect(preview.locator("#ref-1")).to_contain_text("Najmabadi S")
    expect(page.locator("#id_meta_description_count")).to_contain_text("characters")
    page.fill("#id_change_note", "First draft")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    change_url = page.url

    run_action(page, "Submit for medical review")
    expect(page.locator(".messagelist")).to_contain_text("submitted")
    logout(page, site_server)

    login(page, site_server, "reviewer")
    page.goto(change_url)
    expect(page.locator(".review-diff")).to_contain_text("First review")
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.locator(".workflow-menu").get_by_role(
        "button", name="Approve (medical review)"
    ).click()
    for box in page.locator("input[name=checklist]").all():
        box.check()
    page.check("input[name=interests][value=none]")
    page.fill("[name=comment]", "Accurate; well sourced.")
    page.locator("input[type=submit].default").click()
    expect(page.locator(".messagelist")).to_contain_text("approved")
    logout(page, site_server)

    login(page, site_server, "editor")
    page.goto(change_url)
    run_action(page, "Publish the approved revision")
    expect(page.locator(".messagelist")).to_contain_text("published")
    logout(page, site_server)

    page.goto(site_server.url + "/articles/tracking-cervical-mucus/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tracking cervical mucus")
    expect(page.locator(".reviewed-by")).to_contain_text(
        re.compile(r"Medically reviewed by Dr Priya Raman, MD, FACOG on \d")
    )
    expect(page.locator("#ref-1")).to_contain_text("Hum Reprod")
