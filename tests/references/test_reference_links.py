"""Reference URLs: only http and https are stored, and only they become links."""

import io
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string

from references.importers import ImportFormatError, parse
from references.library import plan_import
from references.links import safe_http_url
from references.models import Reference
from tests.conftest import create_article

HOSTILE_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    " javascript:alert(1)",
    "\tjavascript:alert(1)",
    "java\nscript:alert(1)",
    "https://example.org/\njavascript:alert(1)",
    "javascript://%0aalert(1)",
    "\x01javascript:alert(1)",
    "https:javascript:alert(1)",
    "https://example.org/\u2028x",
]
SAFE_URLS = ["https://www.nhs.uk/conditions/miscarriage/", "HTTP://EXAMPLE.ORG/a?b=c"]


def csl_page(url: str) -> str:
    return json.dumps(
        [{"type": "webpage", "title": "A page", "URL": url, "issued": {}}]
    )


def source_links(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]*)">Source</a>', html)


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_safe_http_url_refuses_hostile_urls(url):
    """Anything but a plain http(s) URL gives "" (no link)."""
    assert safe_http_url(url) == ""


@pytest.mark.parametrize("url", SAFE_URLS)
def test_safe_http_url_keeps_http_urls(url):
    """Plain http and https URLs pass through unchanged."""
    assert safe_http_url(url) == url


@pytest.mark.parametrize("value", [None, 5, ["https://example.org/"]])
def test_safe_http_url_refuses_non_text(value):
    """A legacy value that is not text gives no link."""
    assert safe_http_url(value) == ""


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_model_refuses_hostile_urls(db, url):
    """The model's URL validation refuses every hostile URL."""
    with pytest.raises(ValidationError) as error:
        Reference(title="T", url=url).full_clean()
    assert "url" in error.value.message_dict


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_import_refuses_hostile_urls(db, url, tmp_path):
    """An import naming the record and the URL field stores nothing."""
    path = tmp_path / "refs.json"
    path.write_text(csl_page(url))
    with pytest.raises(CommandError, match=r"Record 1: URL: .*Nothing was imported"):
        call_command("import_references", path, stdout=io.StringIO())
    assert not Reference.objects.exists()


@pytest.mark.parametrize(
    "text",
    [
        "@misc{a, title={A page}, url={javascript:alert(1)}}",
        "@misc{a, title={A page}, url={https://example.org/\njavascript:alert(1)}}",
        "TY  - ELEC\nTI  - A page\nUR  - javascript:alert(1)\nER  - \n",
        "TY  - ELEC\nTI  - A page\nUR  - data:text/html,<b>x</b>\nER  - \n",
    ],
)
def test_bibtex_and_ris_imports_refuse_hostile_urls(db, text):
    """BibTeX and RIS URLs go through the same check."""
    with pytest.raises(ImportFormatError, match="URL"):
        plan_import(parse(text))


def test_import_strips_whitespace_around_a_good_url(db):
    """Surrounding spaces are trimmed; the URL itself is then valid."""
    [record] = parse(csl_page("  https://www.nhs.uk/  "))
    assert record.url == "https://www.nhs.uk/"
    plan_import([record])


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_reference_list_draws_no_link_for_a_hostile_url(url):
    """A frozen reference with a hostile URL renders its text but no link."""
    html = render_to_string(
        "articles/includes/reference_list.html",
        {"references": [{"number": 1, "html": "A page.", "url": url, "doi": ""}]},
    )
    assert "A page." in html
    assert source_links(html) == []


def test_reference_list_links_an_https_source():
    """A good URL still gets its Source link."""
    url = "https://www.nhs.uk/conditions/miscarriage/"
    html = render_to_string(
        "articles/includes/reference_list.html",
        {"references": [{"number": 1, "html": "NHS.", "url": url, "doi": ""}]},
    )
    assert source_links(html) == [url]


def test_public_page_draws_no_link_for_a_legacy_reference_row(
    client, writer, reviewer, editor
):
    """A stored row whose URL hides a line break is published without a link."""
    page = Reference.objects.create(
        kind="web_page", title="Miscarriage", url="https://www.nhs.uk/", year=2022
    )
    # The database allows it (it starts with https://); only the model refuses it.
    hostile = "https://www.nhs.uk/\njavascript:alert(1)"
    Reference.objects.filter(pk=page.pk).update(url=hostile)
    article = create_article(writer, body=f"Bleeding [@{page.citation_key}].")
    article.submit_for_review(by=writer)
    article.approve(by=reviewer, comment="Fine.")
    article.publish(by=editor)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Miscarriage" in html
    assert source_links(html) == []
