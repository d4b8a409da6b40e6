"""The dashboard's "waiting for you" for each demo role, and the bell."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import serious_violations
from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser
DASHBOARD = "/admin/articles/article/dashboard/"


@pytest.mark.parametrize(
    "username, group, title, absent",
    [
        ("reviewer", "review", "Bleeding in early pregnancy", ["publish", "changes"]),
        ("editor", "publish", "After a miscarriage is diagnosed", ["review"]),
        ("writer", "changes", "Cervical mucus and miscarriage", ["review", "publish"]),
    ],
)
def test_waiting_for_you_per_role(
    page, site_server, demo, username, group, title, absent
):
    """Each role, from the admin index, finds its own work waiting."""
    login(page, site_server, username)
    page.get_by_role("link", name="Dashboard").click()
    waiting = page.locator(f"#waiting-{group}")
    expect(waiting).to_contain_text(title)
    for other in absent:
        expect(page.locator(f"#waiting-{other}")).to_have_count(0)
    waiting.get_by_role("link", name=re.compile(title)).first.click()
    expect(page).to_have_url(re.compile(r"/admin/articles/article/\d+/"))
    expect(page.locator("#content")).to_contain_text(title)


def test_editor_sees_the_calendar(page, site_server, demo):
    """The calendar shows the scheduled go-live and the review falling due."""
    login(page, site_server, "editor")
    page.goto(site_server.url + DASHBOARD)
    calendar = page.locator(".calendar")
    expect(calendar.locator(".agenda-golive")).to_contain_text(
        "Early pregnancy units: what to expect"
    )
    expect(calendar.locator(".agenda-review")).to_contain_text(
        "Ectopic pregnancy: symptoms that need urgent care"
    )
    expect(
        page.locator("#waiting-publish li", has_text="Early pregnancy units")
    ).to_contain_text("scheduled: goes live")


def test_state_count_opens_the_filtered_list(page, site_server, demo):
    """A count by state opens the article list showing that many articles."""
    login(page, site_server, "editor")
    page.goto(site_server.url + DASHBOARD)
    link = page.locator(".state-counts a", has_text="In review")
    count = int(link.locator("strong").inner_text())
    link.click()
    expect(page.locator("#result_list tbody tr")).to_have_count(count)


def test_bell_opens_and_marks_read(page, site_server, demo):
    """The bell shows unread notifications; opening one marks it read."""
    login(page, site_server, "reviewer")
    count = page.locator("[data-bell-count]")
    unread = int(count.inner_text())
    assert unread >= 1
    bell = page.locator("button[data-bell-toggle]")
    expect(bell).to_have_attribute("aria-expanded", "false")
    bell.click()
    expect(bell).to_have_attribute("aria-expanded", "true")
    panel = page.locator("#bell-panel")
    expect(panel).to_be_visible()
    submitted = panel.locator(".bell-unread a", has_text="Wendy Hart submitted")
    expect(submitted.first).to_contain_text("for medical review")
    submitted.first.click()
    expect(page).to_have_url(re.compile(r"/admin/articles/article/\d+/change/"))
    if unread == 1:
        expect(count).to_have_count(0)
    else:
        expect(count).to_have_text(str(unread - 1))


def test_bell_works_by_keyboard_and_marks_all_read(page, site_server, demo):
    """Enter opens the bell, Escape closes it, and "Mark all read" empties it."""
    login(page, site_server, "writer")
    bell = page.locator("button[data-bell-toggle]")
    bell.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#bell-panel")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#bell-panel")).to_be_hidden()
    bell.click()
    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator(".messagelist")).to_contain_text("marked as read")
    expect(page.locator("[data-bell-count]")).to_have_count(0)


def test_bell_without_javascript_links_to_the_notifications(browser, site_server, demo):
    """Without JavaScript the bell is a link to the notifications page."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    login(page, site_server, "editor")  # the second factor works without it too
    page.locator("a[data-bell-toggle]").click()
    expect(page.locator("#result_list")).to_contain_text("waiting to be published")
    context.close()


def test_email_settings_page(page, site_server, demo):
    """From the bell, a user turns off one kind of email."""
    login(page, site_server, "reviewer")
    page.locator("button[data-bell-toggle]").click()
    page.get_by_role("link", name="Email settings").click()
    page.get_by_label("Submitted for review").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messagelist")).to_contain_text("saved")
    expect(page.get_by_label("Submitted for review")).not_to_be_checked()
    expect(page.get_by_label("Published", exact=True)).to_be_checked()


@pytest.mark.parametrize("username", ["reviewer", "editor", "writer"])
def test_dashboard_accessibility(page, site_server, demo, username):
    """axe finds no serious or critical violations on the dashboard, bell open."""
    login(page, site_server, username)
    page.goto(site_server.url + DASHBOARD)
    page.locator("button[data-bell-toggle]").click()
    assert serious_violations(page) == []


def test_dashboard_screenshot_for_the_readme(page, site_server, demo):
    """The editor's dashboard, saved for the README."""
    login(page, site_server, "editor")
    page.goto(site_server.url + DASHBOARD)
    expect(page.locator("#waiting-publish")).to_be_visible()
    screenshot(page, "admin-dashboard.png")
