"""What the server gives the article editor: its modules, its settings, the
status column beside the text, and the shipped jargon list."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

MODULES = [
    "editorial/editor/toolbar",
    "editorial/editor/layout",
    "editorial/editor/counts",
    "editorial/editor/autosave",
    "editorial/editor/unsaved",
    "editorial/editor/plain-language",
    "editorial/editor/labels",
    "editorial/seo-counter",
]


def change_form(client, user, article):
    client.force_login(user)
    return client.get(
        reverse("admin:articles_article_change", args=[article.pk])
    ).content.decode()


def test_editor_modules_load_as_modules_with_the_nonce(client, writer, article):
    """Each editor module is a hashed ES module carrying the CSP nonce."""
    html = change_form(client, writer, article)
    for module in MODULES:
        tag = re.search(
            rf'<script src="/static/{module}\.[0-9a-f]{{12}}\.js"[^>]*>', html
        )
        assert tag, module
        assert 'type="module"' in tag.group(0)
        assert "nonce=" in tag.group(0)


def test_editor_settings_name_the_article(client, writer, article):
    """The editor's settings carry the article, the site and the jargon list."""
    html = change_form(client, writer, article)
    config = re.search(r'<div id="article-editor-config"[^>]*>', html).group(0)
    assert f'data-article="{article.pk}"' in config
    assert 'data-site-name="Reviewed Health"' in config
    assert re.search(
        r'data-jargon-url="/static/editorial/jargon\.[0-9a-f]{12}\.json"', config
    )


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
