"""The citation picker and image insertion in the article editor."""

import io
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser

ADD = "/admin/articles/article/add/"


def serious_violations(page, *selectors: str) -> list[str]:
    """axe's serious and critical findings within the picker's and the image
    dialog's own elements (the rest of the change form is tested elsewhere)."""
    results = Axe().run(page, context={"include": [[s] for s in selectors]})
    return [
        f"{v['id']}: {v['help']} ({[n['target'] for n in v['nodes'][:3]]})"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def send_command(page, command: str) -> None:
    """What the editor toolbar's buttons and shortcuts do."""
    page.evaluate(
        """command => document.querySelector("#id_body").dispatchEvent(
            new CustomEvent("editor:command", {bubbles: true, detail: {command}}))""",
        command,
    )


def toolbar_button(page, name: str):
    return page.locator(".editor-toolbar").get_by_role("button", name=name)


def open_editor(page, site_server, text: str = ""):
    login(page, site_server, "writer")
    page.goto(site_server.url + ADD)
    body = page.locator("#id_body")
    body.fill(text)
    body.focus()
    body.press("End")
    return body


def test_typing_a_citation_offers_the_library(page, site_server, demo):
    """`[@naj`, Enter: the key is completed as `[@najmabadi2021]`."""
    body = open_editor(page, site_server)
    body.press_sequentially("Mucus changes [@naj")
    option = page.get_by_role("option", name=re.compile("najmabadi2021"))
    expect(option).to_be_visible()
    expect(option).to_contain_text("Najmabadi S et al, 2021")
    expect(option).to_contain_text("doi:10.1093/humrep/deab049")
    expect(body).to_have_attribute("aria-activedescendant", option.get_attribute("id"))
    assert serious_violations(page, "#id_body", ".cite-popup") == []
    screenshot(page, "editor-citation-autocomplete.png")
    body.press("Enter")
    expect(body).to_have_value("Mucus changes [@najmabadi2021]")
    expect(page.locator(".cite-popup")).to_be_hidden()
    preview = page.locator(".markdownx-preview")
    expect(preview.locator("sup.citation")).to_have_text("[1]")


def test_arrow_keys_click_and_escape(page, site_server, demo):
    """Arrow keys move, a click chooses, Esc closes without changing the text."""
    body = open_editor(page, site_server, "See [@c")
    body.press_sequentially("oomarasamy")
    options = page.locator(".cite-popup").get_by_role("option")
    expect(options).to_have_count(2)
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    body.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    options.nth(1).click()
    expect(body).to_have_value("See [@coomarasamy2015]")
    body.press_sequentially(" and [@ni")
    expect(page.get_by_role("option", name=re.compile("nice2019"))).to_be_visible()
    body.press("Escape")
    expect(page.locator(".cite-popup")).to_be_hidden()
    expect(body).to_have_value("See [@coomarasamy2015] and [@ni")
    expect(body).to_be_focused()


def test_an_unknown_key_is_explained_in_the_preview(page, site_server, demo):
    """The writer sees why a citation does not resolve."""
    body = open_editor(page, site_server)
    body.fill("Claim [@smith2020].")
    reason = page.locator(".markdownx-preview .citation-reason")
    expect(reason).to_contain_text(
        "No reference with the key “smith2020” in the library"
    )
    expect(page.locator(".markdownx-preview u.citation-unknown")).to_have_text(
        "[@smith2020]"
    )
    screenshot(page, "editor-unknown-citation.png")


def test_the_cite_button_searches_in_a_dialog(page, site_server, demo):
    """The toolbar's Cite command: search, choose, `[@key]` at the caret;
    a second source joins the same citation."""
    body = open_editor(page, site_server, "Progesterone may help some women.")
    toolbar_button(page, "Cite").click()
    dialog = page.get_by_role("dialog", name="Cite a source")
    expect(dialog).to_be_visible()
    search = dialog.get_by_role("combobox", name="Search the reference library")
    expect(search).to_be_focused()
    search.fill("progesterone 2015")
    expect(dialog.get_by_role("option")).to_have_count(1)
    expect(search).to_have_attribute("aria-expanded", "true")
    assert serious_violations(page, ".cite-dialog") == []
    screenshot(page, "editor-cite-dialog.png")
    search.press("Enter")
    expect(dialog).to_be_hidden()
    expect(body).to_have_value("Progesterone may help some women. [@coomarasamy2015]")
    expect(body).to_be_focused()
    send_command(page, "cite")
    search.fill("NICE")
    dialog.get_by_role("option", name=re.compile("nice2019")).click()
    expect(body).to_have_value(
        "Progesterone may help some women. [@coomarasamy2015; @nice2019]"
    )


def small_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


def test_an_image_goes_in_with_alt_text_and_caption(
    page, site_server, demo, settings, tmp_path
):
    """Image command → file picker → alt text (required) and caption → the
    Markdown on its own line, and a figure in the preview."""
    settings.MEDIA_ROOT = tmp_path / "media"
    body = open_editor(page, site_server, "Intro paragraph.\n## Next section")
    body.evaluate("area => area.setSelectionRange(16, 16)")
    with page.expect_file_chooser() as chooser:
        toolbar_button(page, "Image").click()
    chooser.value.set_files(
        {"name": "chart.png", "mimeType": "image/png", "buffer": small_png()}
    )
    dialog = page.get_by_role("dialog", name="Describe the image")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("status")).to_contain_text("chart.png is uploaded")
    dialog.get_by_role("button", name="Insert image").click()
    alt = dialog.get_by_role("textbox", name="Alt text")
    expect(alt).to_have_attribute("aria-invalid", "true")
    expect(alt).to_be_focused()
    assert serious_violations(page, ".image-dialog") == []
    alt.fill("Bar chart: fertile-type mucus peaks the day before ovulation")
    dialog.get_by_role("textbox", name="Caption").fill('Mucus by cycle day, "pooled"')
    screenshot(page, "editor-image-dialog.png")
    dialog.get_by_role("button", name="Insert image").click()
    expect(dialog).to_be_hidden()
    markdown = (
        r"!\[Bar chart: fertile-type mucus peaks the day before ovulation\]"
        r"\((/media/uploads/[0-9a-f]{32}-64x48\.png) "
        r'"Mucus by cycle day, \\"pooled\\""\)'
    )
    expect(body).to_have_value(
        re.compile(rf"^Intro paragraph\.\n\n{markdown}\n\n## Next section$")
    )
    figure = page.locator(".markdownx-preview figure")
    expect(figure.locator("img")).to_have_attribute("alt", re.compile("^Bar chart"))
    expect(figure.locator("img")).to_have_attribute("width", "64")
    expect(figure.locator("img")).to_have_attribute("loading", "lazy")
    expect(figure.locator("figcaption")).to_have_text('Mucus by cycle day, "pooled"')
    expect(page.locator(".markdownx-preview h2")).to_have_text("Next section")


def test_a_dropped_image_asks_for_alt_text_too(
    page, site_server, demo, settings, tmp_path
):
    """Dropping a file on the editor opens the same dialog; cancelling
    inserts nothing."""
    settings.MEDIA_ROOT = tmp_path / "media"
    body = open_editor(page, site_server, "Text.")
    body.evaluate(
        """(area, bytes) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array(bytes)], "drop.png",
                                        {type: "image/png"}));
            area.dispatchEvent(new DragEvent("drop", {
                dataTransfer: transfer, bubbles: true, cancelable: true}));
        }""",
        list(small_png()),
    )
    dialog = page.get_by_role("dialog", name="Describe the image")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(body).to_have_value("Text.")


def test_a_pasted_image_without_caption_stays_a_plain_image(
    page, site_server, demo, settings, tmp_path
):
    """Paste from the clipboard: alt text, no caption, no figure."""
    settings.MEDIA_ROOT = tmp_path / "media"
    body = open_editor(page, site_server, "## Signs")
    body.evaluate("area => area.setSelectionRange(0, 0)")
    body.evaluate(
        """(area, bytes) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array(bytes)], "paste.png",
                                        {type: "image/png"}));
            area.dispatchEvent(new ClipboardEvent("paste", {
                clipboardData: transfer, bubbles: true, cancelable: true}));
        }""",
        list(small_png()),
    )
    dialog = page.get_by_role("dialog", name="Describe the image")
    dialog.get_by_role("textbox", name="Alt text").fill("Clear, stretchy mucus")
    dialog.get_by_role("textbox", name="Alt text").press("Enter")
    expect(dialog).to_be_hidden()
    expect(body).to_have_value(
        re.compile(
            r"^!\[Clear, stretchy mucus\]\(/media/uploads/\S+\.png\)\n\n## Signs$"
        )
    )
    preview = page.locator(".markdownx-preview")
    expect(preview.locator("p > img")).to_have_attribute("alt", "Clear, stretchy mucus")
    expect(preview.locator("figure")).to_have_count(0)
