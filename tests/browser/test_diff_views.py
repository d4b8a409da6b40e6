"""The diffs of a long edit in a real browser: the source diff and compare
revisions show the changes marked, and say so when they fell back to whole
passages."""

import pytest
from playwright.sync_api import expect

from articles.admin import diffs
from benchmarks.edited_article import edited_article
from tests.browser.accessibility import serious_violations
from tests.browser.conftest import login
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def long_edit(transactional_db):
    writer = make_user("writer", "Writers")
    reviewer = make_user("reviewer", "Medical reviewers", credentials="MD")
    return edited_article(writer, reviewer)


def log_in_as_reviewer(page, site_server):
    login(page, site_server, "reviewer", PASSWORD)


def test_reviewer_reads_a_long_edit_in_both_diffs(page, site_server, long_edit):
    """From the review screen to the source diff, then to compare revisions."""
    log_in_as_reviewer(page, site_server)
    admin = f"{site_server.url}/admin/articles/article/{long_edit.pk}"
    page.goto(f"{admin}/review/")
    page.get_by_role("link", name="Source diff (Markdown and every field)").click()
    source = page.locator(".review-source")
    expect(source.get_by_role("heading", name="Body")).to_be_visible()
    expect(source.locator("ins").first).to_be_visible()
    expect(source.locator("del").first).to_be_visible()

    page.goto(f"{admin}/history/")
    page.get_by_role("link", name="Compare revisions").click()
    expect(page.get_by_role("heading", name="Cited references")).to_be_visible()
    expect(page.locator(".diff ins").first).to_be_visible()
    expect(page.locator(".diff del").first).to_be_visible()
    assert serious_violations(page) == []


def test_out_of_time_the_diff_says_so(page, site_server, long_edit, monkeypatch):
    """With no time to align words, the changes are still marked, and a note
    says that some are shown whole."""
    monkeypatch.setattr(diffs, "BUDGET", 0)
    log_in_as_reviewer(page, site_server)
    page.goto(
        f"{site_server.url}/admin/articles/article/{long_edit.pk}/review/?view=source"
    )
    note = page.get_by_role("note").filter(has_text="Partly shown by whole passages")
    expect(note.first).to_be_visible()
    expect(page.locator(".review-source ins").first).to_be_visible()
