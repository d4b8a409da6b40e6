"""Adding a reference by DOI against the replay server, and authors as rows."""

import pytest
from playwright.sync_api import expect

from references.models import Reference
from tests.browser.accessibility import serious_violations
from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser
PLOS_DOI = "10.1371/journal.pone.0033693"


def family_names(page) -> list[str]:
    inputs = page.locator(".field-authors .row-editor-family")
    return [inputs.nth(i).input_value() for i in range(inputs.count())]


def test_add_a_reference_by_doi(page, site_server, demo, replay):
    """Paste a DOI link, check the filled-in form, save."""
    login(page, site_server, "editor")
    page.goto(f"{site_server.url}/admin/references/reference/")
    page.get_by_role("link", name="Add by DOI/PMID/PMCID/ISBN").click()
    assert not serious_violations(page)
    page.get_by_label("DOI, PMID, PMCID or ISBN").fill(f"https://doi.org/{PLOS_DOI}")
    page.get_by_role("button", name="Look up").click()
    page.wait_for_url("**/reference/add/?lookup=*")
    expect(page.locator(".messagelist")).to_contain_text("nothing is saved until")
    expect(page.locator("#id_title")).to_have_value(
        "Methylphenidate exposure induces dopamine neuron loss and activation of "
        "microglia in the basal ganglia of mice"
    )
    expect(page.locator("#id_journal_abbrev")).to_have_value("PLoS One")
    expect(page.locator(".field-authors tbody tr")).to_have_count(6)
    assert family_names(page)[0] == "Sadasivan"
    screenshot(page, "admin-reference-lookup.png")
    assert not Reference.objects.filter(doi=PLOS_DOI).exists()
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    reference = Reference.objects.get(doi=PLOS_DOI)
    assert reference.authors[0] == {"family": "Sadasivan", "given": "Shankar"}
    assert replay.hits() == 1


def test_a_lookup_offline_opens_the_manual_form(page, site_server, demo, replay):
    replay.close()
    login(page, site_server, "editor")
    page.goto(f"{site_server.url}/admin/references/reference/lookup/")
    page.get_by_label("DOI, PMID, PMCID or ISBN").fill("PMID: 12140307")
    page.get_by_role("button", name="Look up").click()
    expect(page.locator(".messagelist")).to_contain_text("could not be looked up")
    expect(page.locator("#id_pmid")).to_have_value("12140307")


def test_authors_are_rows_to_add_reorder_and_remove(page, site_server, demo):
    """Add three authors, move one by keyboard, drag one, remove one, save."""
    login(page, site_server, "editor")
    page.goto(f"{site_server.url}/admin/references/reference/add/")
    authors = page.locator(".field-authors")
    expect(authors.locator("textarea")).to_be_hidden()
    add = authors.get_by_role("button", name="Add author")
    for family, given in [("Alpha", "Ann"), ("Beta", "Ben"), ("Gamma", "Gil")]:
        add.click()
        row = authors.locator("tbody tr").last
        expect(row.locator(".row-editor-family")).to_be_focused()
        page.keyboard.type(family)
        row.locator(".row-editor-given").fill(given)
    # Keyboard: move author 3 up, with Enter on its button.
    authors.get_by_role("button", name="Move author 3 up").focus()
    page.keyboard.press("Enter")
    assert family_names(page) == ["Alpha", "Gamma", "Beta"]
    expect(authors.get_by_role("status")).to_have_text("Author moved to position 2.")
    # Drag author 1 by its handle to the lower edge of author 3.
    handle = authors.locator(".row-editor-handle").nth(0).bounding_box()
    last = authors.locator("tbody tr").nth(2).bounding_box()
    page.mouse.move(handle["x"] + 5, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(handle["x"] + 5, last["y"] + last["height"] - 4, steps=8)
    page.mouse.up()
    assert family_names(page) == ["Gamma", "Beta", "Alpha"]
    authors.get_by_role("button", name="Remove author 2").click()
    assert family_names(page) == ["Gamma", "Alpha"]
    add.click()
    authors.locator(".row-editor-literal").last.fill("WHO Guideline Group")
    page.fill("#id_title", "A reference with rows")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    reference = Reference.objects.get(title="A reference with rows")
    assert reference.authors == [
        {"family": "Gamma", "given": "Gil"},
        {"family": "Alpha", "given": "Ann"},
        {"literal": "WHO Guideline Group"},
    ]


def test_a_refused_save_keeps_the_rows(page, site_server, demo):
    login(page, site_server, "editor")
    page.goto(f"{site_server.url}/admin/references/reference/add/")
    authors = page.locator(".field-authors")
    authors.get_by_role("button", name="Add author").click()
    authors.locator(".row-editor-family").fill("Alpha")
    authors.locator(".row-editor-literal").fill("A group too")
    page.fill("#id_title", "Refused")
    page.locator("input[name=_save]").click()
    expect(page.locator(".field-authors .errorlist")).to_contain_text(
        "has both a person's name and a group name"
    )
    expect(authors.locator(".row-editor-family")).to_have_value("Alpha")
    expect(authors.locator(".row-editor-literal")).to_have_value("A group too")
    assert not serious_violations(page)
