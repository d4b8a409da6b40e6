"""An editor links a contributor profile to a staff account through the
user field's autocomplete, which names accounts without their addresses
(issue 15)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.conftest import make_user

pytestmark = pytest.mark.browser


def test_an_editor_finds_and_links_an_account_by_name(page, site_server, demo):
    """Type part of a name, pick the account, save: the profile belongs to it."""
    newcomer = make_user("newcomer")
    newcomer.first_name, newcomer.last_name = "Nadia", "Newcomer"
    newcomer.save()
    newcomer.contributor.delete()
    login(page, site_server, "editor")
    page.goto(f"{site_server.url}/admin/articles/contributor/add/")
    page.locator("#id_user + .select2 .select2-selection").click()
    page.locator(".select2-search__field").fill("nadia")
    option = page.locator(".select2-results__option", has_text="Nadia Newcomer")
    expect(option).to_have_text("Nadia Newcomer (newcomer)")
    expect(page.locator(".select2-results")).not_to_contain_text("@")
    option.click()
    page.fill("#id_display_name", "Dr Nadia Newcomer")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    newcomer.refresh_from_db()
    assert newcomer.contributor.display_name == "Dr Nadia Newcomer"
