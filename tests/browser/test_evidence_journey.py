"""A cited source retracted after publication, in a real browser: the
reader's notice on the live page, the reviewer's dashboard and review screen
naming the sentences that relied on it. The demo's own recorded retraction
(`check_evidence --from-file`) drives it, as the README tells a newcomer."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from articles.models import Article
from tests.browser.accessibility import serious_violations
from tests.browser.conftest import login, screenshot
from tests.tasks import run_tasks

pytestmark = pytest.mark.browser

RECORDED = "references/fixtures/evidence/wakefield-1998-retracted.json"
SLUG = "mmr-vaccine-before-pregnancy"


def test_a_retraction_reaches_readers_and_the_reviewer(page, site_server, demo):
    page.goto(f"{site_server.url}/articles/{SLUG}/")
    expect(page.locator(".evidence-notice")).to_have_count(0)

    call_command("check_evidence", "--from-file", RECORDED, stdout=io.StringIO())
    run_tasks()

    # Readers: the notice, from the template, naming the reference by number.
    page.goto(f"{site_server.url}/articles/{SLUG}/")
    notice = page.locator(".evidence-notice")
    expect(notice).to_contain_text("Reference 1 was retracted on 6 February 2010.")
    expect(notice).to_contain_text("Our medical reviewers are checking this page.")
    expect(notice.get_by_role("link", name="Read the notice")).to_have_attribute(
        "href", "https://doi.org/10.1016/s0140-6736(10)60175-4"
    )
    assert serious_violations(page) == []
    screenshot(page, "reader-evidence-notice.png")

    # The reviewer: the dashboard's alerts, then the sentences on the review screen.
    login(page, site_server, "reviewer")
    page.goto(f"{site_server.url}/admin/articles/article/dashboard/")
    box = page.locator(".evidence-box")
    expect(box).to_contain_text("wakefield1998")
    expect(box).to_contain_text("The MMR vaccine before you try for a baby")
    screenshot(page, "reviewer-evidence-alerts.png")
    article = Article.objects.get(slug=SLUG)
    page.goto(f"{site_server.url}/admin/articles/article/{article.pk}/review/")
    alerts = page.locator(".evidence-alerts")
    expect(alerts).to_contain_text("Due for re-review now.")
    # The retraction (the 2004 correction has its own alert): both sentences
    # of the live page that cite the paper.
    retraction = alerts.locator(".evidence-alert").filter(has_text="retracted")
    expect(retraction.locator(".evidence-claims li")).to_have_count(2)
    expect(retraction.locator(".evidence-claims")).to_contain_text(
        "A 1998 case series of 12 children"
    )
    screenshot(page, "reviewer-evidence-claims.png")
