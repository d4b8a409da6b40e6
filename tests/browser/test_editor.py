"""The article editor: layout, toolbar and keys, autosave, the unsaved-changes
warning, the writing aids and the search result preview."""

import pytest
from django.db.models import F
from playwright.sync_api import expect

from articles.models import Article
from tests.browser.accessibility import serious_violations
from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser

DRAFT = "folic-acid-before-pregnancy"
SELECTED = "el => el.value.slice(el.selectionStart, el.selectionEnd)"
KEPT = "() => Object.keys(localStorage).filter(k => k.startsWith('editorial-draft:'))"


def open_draft(page, site_server):
    login(page, site_server, "writer")
    article = Article.objects.get(slug=DRAFT)
    page.goto(f"{site_server.url}/admin/articles/article/{article.pk}/change/")
    expect(page.locator(".editor-toolbar")).to_be_visible()
    return article


def set_body(page, text):
    body = page.locator("#id_body")
    body.fill(text)
    return body


def test_preview_beside_editor_at_1280(page, site_server, demo):
    """At 1280x900 the preview sits beside the text, on screen, with the
    status and checklist beside them."""
    open_draft(page, site_server)
    expect(page.locator(".markdownx-preview .article-preview")).to_be_visible()
    editor = page.locator("#id_body").bounding_box()
    preview = page.locator(".markdownx-preview").bounding_box()
    status = page.locator("fieldset.editor-status").bounding_box()
    assert preview["x"] >= editor["x"] + editor["width"]
    assert abs(preview["y"] - editor["y"]) < 5
    assert preview["y"] < 900 - 100, "the preview starts in the first screen"
    assert status["x"] >= preview["x"] + preview["width"]
    assert status["y"] < 900
    expect(page.locator("fieldset.editor-status")).to_contain_text("Status")
    body = page.locator("#id_body")
    body.press("Control+End")
    body.press_sequentially(
        "\n\n## When to start\n\nStart taking it before you stop contraception, "
        "because the neural tube forms in the first weeks of gestation, which is "
        "often before a pregnancy test is positive or a missed period is noticed."
    )
    expect(page.locator("#plain-jargon-heading")).to_contain_text("(1)")
    screenshot(page, "admin-editor.png")


def test_preview_follows_the_caret(page, site_server, demo):
    """Moving the caret to the end of a long text scrolls the preview there."""
    open_draft(page, site_server)
    sections = "".join(
        f"## Part {n}\n\n" + "A plain sentence about the topic. " * 40 + "\n\n"
        for n in range(8)
    )
    body = set_body(page, sections)
    expect(page.locator(".markdownx-preview h2").nth(7)).to_have_text("Part 7")
    body.press("Control+End")
    body.press("ArrowUp")
    preview = page.locator(".markdownx-preview")
    page.wait_for_function(
        "el => el.scrollTop > el.scrollHeight / 2",
        arg=preview.element_handle(),
    )
    body.press("Control+Home")
    page.wait_for_function("el => el.scrollTop < 50", arg=preview.element_handle())


def test_stacked_on_narrow_screens(page, site_server, demo):
    """On a narrow screen the preview comes under the text."""
    page.set_viewport_size({"width": 800, "height": 900})
    open_draft(page, site_server)
    editor = page.locator("#id_body").bounding_box()
    preview = page.locator(".markdownx-preview").bounding_box()
    assert preview["y"] >= editor["y"] + editor["height"]


def test_full_screen_toggle(page, site_server, demo):
    """The full-screen button and Ctrl+Shift+F fill the window with the
    editor; Esc leaves."""
    open_draft(page, site_server)
    button = page.get_by_role("button", name="Full screen")
    button.click()
    expect(page.locator(".editor-fullscreen-shell")).to_be_visible()
    expect(page.locator("#header")).to_be_hidden()
    expect(page.get_by_role("button", name="Leave full screen")).to_have_attribute(
        "aria-pressed", "true"
    )
    box = page.locator("#id_body").bounding_box()
    assert box["height"] > 700
    assert page.locator(".markdownx-preview").bounding_box()["x"] > 600
    page.keyboard.press("Escape")
    expect(page.locator(".editor-fullscreen-shell")).to_have_count(0)
    expect(page.locator("#header")).to_be_visible()
    page.locator("#id_body").press("Control+Shift+F")
    expect(page.locator(".editor-fullscreen-shell")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator(".editor-fullscreen-shell")).to_have_count(0)


def test_toolbar_buttons_and_shortcuts(page, site_server, demo):
    """Each button and shortcut edits the Markdown around the selection."""
    open_draft(page, site_server)
    body = set_body(page, "word")
    body.press("Control+a")
    body.press("Control+b")
    expect(body).to_have_value("**word**")
    assert body.evaluate(SELECTED) == "word"
    page.get_by_role("button", name="Italic").click()
    expect(body).to_have_value("***word***")
    body.press("Control+i")
    body.press("Control+b")
    expect(body).to_have_value("word")

    set_body(page, "Title line")
    page.get_by_role("button", name="Heading").click()
    expect(body).to_have_value("## Title line")
    set_body(page, "one\ntwo")
    body.press("Control+a")
    page.get_by_role("button", name="List").click()
    expect(body).to_have_value("- one\n- two")
    set_body(page, "said")
    page.get_by_role("button", name="Quote").click()
    expect(body).to_have_value("> said")
    set_body(page, "Intro")
    body.press("End")
    page.get_by_role("button", name="Table").click()
    expect(body).to_have_value(
        "Intro\n\n| Column 1 | Column 2 |\n| --- | --- |\n| Text | Text |\n"
    )
    set_body(page, "NHS")
    body.press("Control+a")
    body.press("Control+k")
    expect(body).to_have_value("[NHS](https://)")
    assert body.evaluate(SELECTED) == "https://"
    expect(page.locator(".markdownx-preview")).to_contain_text("NHS")


def test_image_and_cite_dispatch_editor_commands(page, site_server, demo):
    """Image and Cite hand over to their dialogs through one event."""
    open_draft(page, site_server)
    # Caught first, on the window, so no dialog opens during the test.
    page.evaluate(
        """() => { window.seen = [];
        window.addEventListener('editor:command', e => {
          if (e.target.id === 'id_body') window.seen.push(e.detail.command);
          e.stopPropagation(); }, true); }"""
    )
    page.locator(".editor-toolbar").get_by_role("button", name="Image").click()
    page.locator(".editor-toolbar").get_by_role("button", name="Cite").click()
    page.locator("#id_body").press("Control+Alt+c")
    assert page.evaluate("window.seen") == ["image", "cite", "cite"]


def test_tab_leaves_the_textarea_and_ctrl_s_saves(page, site_server, demo):
    """Tab moves the focus on (no tab character); Ctrl+S saves and stays."""
    article = open_draft(page, site_server)
    body = set_body(page, "Folic acid helps.")
    body.press("Tab")
    assert page.evaluate("document.activeElement.id") != "id_body"
    expect(body).to_have_value("Folic acid helps.")
    body.press("Control+s")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert f"/{article.pk}/change/" in page.url
    article.refresh_from_db()
    assert article.body == "Folic acid helps."


def test_toolbar_is_one_tab_stop(page, site_server, demo):
    """Arrow keys move along the toolbar; Tab goes on to the text."""
    open_draft(page, site_server)
    first = page.locator(".editor-toolbar button").first
    first.focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("button", name="Bold")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#id_body")).to_be_focused()


def test_autosave_restores_after_reload(page, site_server, demo):
    """Unsaved text survives a reload and is offered back; saving clears it."""
    article = open_draft(page, site_server)
    page.locator("#id_body").press("Control+End")
    page.locator("#id_body").type(" Kept in the browser.")
    page.wait_for_function(
        "() => Object.keys(localStorage).some(k => k.startsWith('editorial-draft:'))"
    )
    page.on("dialog", lambda dialog: dialog.accept())
    page.reload()
    offer = page.locator(".draft-restore")
    expect(offer).to_contain_text("Restore unsaved text?")
    body = page.locator("#id_body")
    assert "Kept in the browser." not in body.input_value()
    offer.get_by_role("button", name="Restore").click()
    assert body.input_value().endswith("Kept in the browser.")
    expect(offer).to_contain_text("Text restored")
    body.press("Control+s")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    article.refresh_from_db()
    assert article.body.endswith("Kept in the browser.")
    expect(page.locator(".editor-toolbar")).to_be_visible()
    page.wait_for_function(f"() => ({KEPT})().length === 0")
    page.reload()
    expect(page.locator(".editor-toolbar")).to_be_visible()
    expect(page.locator(".draft-restore")).to_have_count(0)


def test_restoring_text_older_than_a_save_shows_the_conflict(page, site_server, demo):
    """Text kept before someone else saved is restored against its own
    version, so saving it shows their changes instead of overwriting them."""
    article = open_draft(page, site_server)
    page.locator("#id_body").press("Control+End")
    page.locator("#id_body").press_sequentially(" Mine.")
    page.wait_for_function(f"() => Boolean(({KEPT})().length)")
    Article.objects.filter(pk=article.pk).update(edit_version=F("edit_version") + 1)
    page.on("dialog", lambda dialog: dialog.accept())
    page.reload()
    offer = page.locator(".draft-restore")
    expect(offer).to_contain_text("earlier version")
    offer.get_by_role("button", name="Restore").click()
    page.locator("#id_body").press("Control+s")
    expect(page.locator(".edit-conflict")).to_contain_text("Someone else saved")
    assert page.locator("#id_body").input_value().endswith("Mine.")
    assert page.evaluate(KEPT) != []


def test_autosave_discard(page, site_server, demo):
    """Discard forgets the kept text."""
    open_draft(page, site_server)
    page.locator("#id_title").fill("A title never saved")
    page.wait_for_function(
        "() => Object.keys(localStorage).some(k => k.startsWith('editorial-draft:'))"
    )
    page.on("dialog", lambda dialog: dialog.accept())
    page.reload()
    page.locator(".draft-restore").get_by_role("button", name="Discard").click()
    expect(page.locator(".draft-restore")).to_contain_text("discarded")
    assert page.locator("#id_title").input_value() == "Folic acid before pregnancy"
    assert page.evaluate(KEPT) == []


def test_unsaved_changes_warning(page, site_server, demo):
    """Leaving with unsaved changes asks first; saving and leaving after a
    save do not."""
    open_draft(page, site_server)
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    page.locator("#id_body").press("Control+End")
    page.locator("#id_body").type(" One more line.")
    page.locator("#id_body").press("Control+s")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert dialogs == []

    page.locator("#id_summary").click()
    page.evaluate("() => setTimeout(() => location.assign('/admin/'), 0)")
    page.wait_for_url(f"{site_server.url}/admin/")
    assert dialogs == []

    page.go_back()
    page.locator("#id_summary").fill("Changed and not saved.")
    with page.expect_event("dialog") as leaving:
        page.evaluate("() => setTimeout(() => location.assign('/admin/'), 0)")
    assert leaving.value.type == "beforeunload"
    assert dialogs == ["beforeunload"]
    assert "/change/" in page.url


def test_plain_language_panel(page, site_server, demo):
    """The panel scores the text and lists jargon, long sentences and passive
    voice; a finding selects its words in the text."""
    open_draft(page, site_server)
    long_sentence = (
        "Folic acid is a vitamin that you should take every day for at least "
        "three months before you try to get pregnant and for the first twelve "
        "weeks of the pregnancy as well."
    )
    set_body(
        page,
        f"{long_sentence} A myocardial infarction is rare. "
        "The tablets were given by the nurse. Take one a day.",
    )
    panel = page.locator(".plain-language")
    expect(panel).to_contain_text("reading age of 9 to 11")
    expect(panel.locator("#plain-jargon-heading")).to_have_text("Medical terms (1)")
    expect(panel).to_contain_text("heart attack")
    expect(panel.locator("#plain-long-heading")).to_contain_text("(1)")
    expect(panel.locator("#plain-passive-heading")).to_have_text("Passive voice (1)")
    expect(panel).to_contain_text("were given")
    expect(panel.locator(".plain-scores")).to_contain_text("Grade level")
    page.wait_for_function(
        "() => CSS.highlights.get('plain-long')?.size === 1"
        " && CSS.highlights.get('plain-passive')?.size === 1"
    )
    panel.locator('ul[aria-labelledby="plain-long-heading"] button').click()
    body = page.locator("#id_body")
    expect(body).to_be_focused()
    assert body.evaluate(SELECTED) == long_sentence
    panel.get_by_role("button", name="myocardial infarction").click()
    assert body.evaluate(SELECTED) == "myocardial infarction"
    expect(page.locator("#editor-counts")).to_contain_text("words")
    expect(page.locator("#editor-counts")).to_contain_text("1 minute to read")


def test_seo_snippet_preview(page, site_server, demo):
    """The search result preview follows the SEO fields, cut as results cut."""
    open_draft(page, site_server)
    snippet = page.locator(".serp-preview")
    page.fill("#id_seo_title", "Folic acid: why it matters")
    expect(snippet.locator(".serp-title")).to_have_text(
        "Folic acid: why it matters | Reviewed Health"
    )
    expect(snippet.locator(".serp-url")).to_contain_text(
        "articles › folic-acid-before-pregnancy"
    )
    page.fill("#id_meta_description", "Folic acid protects a baby's spine. " * 8)
    expect(snippet.locator(".serp-description")).to_contain_text("…")
    expect(page.locator("#id_meta_description_count")).to_contain_text("287 characters")
    expect(page.locator("#id_meta_description_count")).to_have_class(
        "seo-count out-of-range"
    )
    page.fill("#id_seo_title", "A" * 90)
    expect(snippet.locator(".serp-title")).to_contain_text("…")


def test_change_form_accessibility(page, site_server, demo):
    """axe finds no serious or critical problems on the change form with the
    editor's panels in place."""
    open_draft(page, site_server)
    set_body(page, "A myocardial infarction was treated. Short one.")
    expect(page.locator("#plain-jargon-heading")).to_contain_text("(1)")
    assert serious_violations(page) == []


@pytest.mark.parametrize(
    ("username", "slug"),
    [
        # In review, with references chosen in the autocomplete widget.
        ("editor", "bleeding-in-early-pregnancy"),
        # Live, as the reviewer sees it (read-only).
        ("reviewer", "progesterone-and-miscarriage"),
    ],
)
def test_change_form_accessibility_in_other_states(
    page, site_server, demo, username, slug
):
    """axe finds no serious or critical problems on the change form of an
    article in review (references chosen) and of a live one seen read-only."""
    login(page, site_server, username)
    article = Article.objects.get(slug=slug)
    page.goto(f"{site_server.url}/admin/articles/article/{article.pk}/change/")
    expect(page.locator(".workflow-menu")).to_be_visible()
    assert serious_violations(page) == []
