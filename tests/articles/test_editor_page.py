"""What the server gives the article editor: its modules, its settings, the
status column beside the text, and the shipped jargon list."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

# The modules editor.js imports, fetched beside it.
PRELOADED = ["editorial/editor/drafts", "editorial/editor/prose"]


def change_form(client, user, article):
    client.force_login(user)
    return client.get(
        reverse("admin:articles_article_change", args=[article.pk])
    ).content.decode()


def test_editor_modules_load_as_modules_with_the_nonce(client, writer, article):
    """The editor is a hashed ES module carrying the CSP nonce, and the
    modules it imports are preloaded beside it."""
    html = change_form(client, writer, article)
    tag = re.search(
        r'<script src="/static/editorial/editor/editor\.[0-9a-f]{12}\.js"[^>]*>', html
    )
    assert tag
    assert 'type="module"' in tag.group(0)
    assert "nonce=" in tag.group(0)
    for module in PRELOADED:
        link = re.search(
            rf'<link href="/static/{module}\.[0-9a-f]{{12}}\.js"[^>]*>', html
        )
        assert link, module
        assert 'rel="modulepreload"' in link.group(0)
        assert "nonce=" in link.group(0)


def test_the_preview_comes_with_the_page(client, writer, article):
    """The body's preview is rendered into the page, without markdownx's
    script or styles."""
    article.body = "## Why it matters\n\nFolic acid helps."
    article.save()
    html = change_form(client, writer, article)
    assert re.search(
        r'<div class="markdownx-preview"><div class="article-preview">\s*'
        r"<h2[^>]*>Why it matters</h2>",
        html,
    )
    assert "markdownx/js/markdownx" not in html
    assert "markdownx/admin/css/markdownx" not in html


def test_the_form_leaves_out_scripts_it_does_not_use(client, writer, article):
    """The change list's actions, the admin's slug scripts, XRegExp, select2's
    English and the navigation sidebar are not loaded."""
    html = change_form(client, writer, article)
    for unused in [
        "admin/js/actions.",
        "admin/js/urlify.",
        "admin/js/prepopulate",
        "xregexp",
        "select2/i18n/en.",
        "nav_sidebar",
        "admin/js/change_form.",
    ]:
        assert unused not in html, unused
    assert "admin/js/SelectFilter2." in html
    assert "admin/js/vendor/select2/select2.full." in html


def test_the_slug_settings_come_without_the_admin_script(client, writer):
    """The add form names the slug's source for the editor, which fills it in."""
    client.force_login(writer)
    html = client.get(reverse("admin:articles_article_add")).content.decode()
    settings_tag = re.search(
        r'<div id="django-admin-prepopulated-fields-constants"[^>]*>', html
    ).group(0)
    assert "&quot;#id_title&quot;" in settings_tag
    assert "prepopulate_init" not in html


def test_editor_settings_name_the_article(client, writer, article):
    """The editor's settings carry the article and the site, and the jargon
    list comes in the page."""
    html = change_form(client, writer, article)
    config = re.search(r'<div id="article-editor-config"[^>]*>', html).group(0)
    assert f'data-article="{article.pk}"' in config
    assert 'data-site-name="Reviewed Health"' in config
    listed = re.search(
        r'<script id="editor-jargon" type="application/json">(.*?)</script>', html
    )
    terms = json.loads(listed.group(1))["terms"]
    assert {"term", "plain"} <= terms[0].keys()


def test_the_preview_comes_compressed_to_a_browser_that_accepts_it(client, writer):
    """The preview the editor asks for as the writer types is gzipped."""
    client.force_login(writer)
    response = client.post(
        reverse("markdownx_markdownify"),
        {"content": "Folic acid helps. " * 2000},
        HTTP_ACCEPT_ENCODING="gzip",
    )
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert len(response.content) < 2000


def test_add_form_drafts_are_new(client, writer):
    """A new article's kept text is filed under "new"."""
    client.force_login(writer)
    html = client.get(reverse("admin:articles_article_add")).content.decode()
    assert 'data-article="new"' in html


def test_status_and_checks_come_right_after_the_text(client, writer, article):
    """Workflow state and checklist are the second fieldset, beside the editor."""
    html = change_form(client, writer, article)
    status = html.index('class="module aligned editor-status"')
    assert html.index('id="id_body"') < status < html.index("Bylines and topics")
    assert "preflight-checklist" in html[status:]
    assert 'id="nav-sidebar"' not in html


def test_jargon_list_has_plain_alternatives():
    """The shipped list has about 100 terms, each with a plain alternative."""
    path = Path(settings.BASE_DIR) / "static" / "editorial" / "jargon.json"
    terms = json.loads(path.read_text(encoding="utf-8"))["terms"]
    assert len(terms) >= 100
    names = [t["term"].lower() for t in terms]
    assert len(names) == len(set(names))
    assert all(t["plain"].strip() and t["term"].strip() for t in terms)
