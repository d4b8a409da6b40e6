import re
from html.parser import HTMLParser

import pytest

from articles.rendering import render

# Payloads from the security notes: each must come out harmless.
PAYLOADS = [
    "<script>alert(1)</script>",
    "hi <img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](jav&#x09;ascript:alert(1))",
    "[x](<java\tscript:alert(1)>)",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    "[x][r]\n\n[r]: javascript:alert(1)",
    '[x](https://example.com "a\\" onmouseover=\\"alert(1)")',
    '![x" onerror="alert(1)](https://example.com/a.png)',
    '[x](https://example.com/"onmouseover="alert(1))',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="&#x6A;avascript&#x3A;alert(1)">x</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    "<svg onload=alert(1)>",
    "<details open ontoggle=alert(1)>x</details>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<object data="javascript:alert(1)"></object>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    '<img/src="x"/onerror=alert(1)>',
    "[x](javascript://%0aalert(1))",
    "`<img src=x onerror=alert(1)>`",
    '## T {: onclick="alert(1)" }\n\n[a](https://e.com){: onmouseover="alert(1)" }',
]

DANGEROUS_TAGS = {
    "script",
    "iframe",
    "svg",
    "math",
    "object",
    "embed",
    "form",
    "meta",
    "base",
    "style",
    "details",
    "button",
    "input",
    "link",
}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")


class TagCollector(HTMLParser):
    """Every start tag with its (unescaped) attributes, as a browser sees them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def dangers(output: str) -> list[str]:
    collector = TagCollector()
    collector.feed(output)
    found = []
    for tag, attrs in collector.tags:
        if tag in DANGEROUS_TAGS:
            found.append(tag)
        for name, value in attrs.items():
            if name.startswith("on") or name in {"style", "target"}:
                found.append(f"{tag}[{name}]")
            cleaned = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name in {"href", "src", "action", "data"} and cleaned.startswith(
                BAD_SCHEMES
            ):
                found.append(f"{tag}[{name}]={value}")
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("payload", PAYLOADS)
def test_render_neutralises_xss_payload(payload):
    """No script-capable tag, event handler or dangerous URL survives."""
    assert dangers(render(payload).html) == []


@pytest.mark.django_db
def test_h1_in_body_becomes_h2():
    """The page title is the only h1; body headings start at h2."""
    rendered = render("# Heading\n\ntext")
    assert "<h1" not in rendered.html
    assert rendered.toc == [{"level": 2, "id": "heading", "text": "Heading"}]


@pytest.mark.django_db
def test_toc_lists_h2_and_h3():
    """The table of contents comes from h2 and h3 headings with their ids."""
    rendered = render("## First\n\n### Sub\n\n#### Deep")
    assert [entry["text"] for entry in rendered.toc] == ["First", "Sub"]
    assert 'id="first"' in rendered.html


@pytest.mark.django_db
def test_image_without_alt_is_reported():
    """Images without alt text are listed for the preflight check."""
    rendered = render("![](https://example.org/a.png) ![Chart](https://e.org/b.png)")
    assert rendered.images_without_alt == ["https://example.org/a.png"]


@pytest.mark.django_db
def test_http_images_are_dropped():
    """Only HTTPS or own-media images keep their src."""
    rendered = render("![x](http://example.org/a.png)")
    assert "http://example.org/a.png" not in rendered.html


@pytest.mark.django_db
def test_safe_links_survive():
    """Ordinary HTTPS links keep their address."""
    assert '<a href="https://e.org">a</a>' in render("[a](https://e.org)").html


@pytest.mark.django_db
def test_citations_number_in_order_of_first_use(reference):
    """Citations become superscript numbers linked to the list."""
    rendered = render(
        "A [@najmabadi2021]. B [@pmid:33990841]. C [@doi:10.1093/HUMREP/deab049]."
    )
    assert rendered.html.count('<a href="#ref-1">1</a>') == 3
    assert len(rendered.references) == 1


@pytest.mark.django_db
def test_unresolved_citation_is_marked(reference):
    """An unknown key renders a visible marker and is reported."""
    rendered = render("Claim [@missing2020].")
    assert "citation-missing" in rendered.html
    assert rendered.unresolved[0].value == "missing2020"
