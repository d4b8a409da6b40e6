"""Images in the body: figures with captions, size hints, and nothing unsafe."""

import io
import re
from html.parser import HTMLParser

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles import images
from articles.preflight import run_checks
from articles.rendering import render
from tests.conftest import create_article

UPLOAD = "/admin/markdownx/upload/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


class Elements(HTMLParser):
    """Every start tag with its attributes, in order."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag

    def names(self) -> list[str]:
        return [tag for tag, _attrs in self.tags]

    def first(self, name: str) -> dict:
        return next(attrs for tag, attrs in self.tags if tag == name)


def stored_body_image(width: int = 1600, height: int = 900) -> str:
    """A body image stored as the upload view stores it, with its copies."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(buffer, format="PNG")
    name = default_storage.save(
        f"uploads/{'a' * 32}-{width}x{height}.png", ContentFile(buffer.getvalue())
    )
    images.make_variants.call(name)
    return default_storage.url(name)


@pytest.mark.django_db
def test_a_captioned_image_alone_in_its_paragraph_is_a_figure():
    """`![alt](url "caption")` → figure, img, figcaption; no title attribute."""
    html = render(
        'Before.\n\n![A chart](https://example.org/c.png "Cycle days")\n'
    ).html
    assert (
        '<figure><img src="https://example.org/c.png" alt="A chart">'
        "<figcaption>Cycle days</figcaption></figure>"
    ) in html.replace("\n", "")
    assert "title=" not in html


@pytest.mark.django_db
def test_an_uploaded_figure_carries_size_lazy_loading_and_srcset():
    """Width and height from the name, lazy loading, and the stored copies."""
    url = stored_body_image()
    img = Elements(render(f'![Mucus types]({url} "Three types")').html).first("img")
    assert (img["width"], img["height"]) == ("1600", "900")
    assert img["loading"] == "lazy"
    candidates = [c.strip().split(" ") for c in img["srcset"].split(",")]
    assert [w for _url, w in candidates] == ["480w", "800w", "1200w", "1600w"]
    assert candidates[-1][0] == url
    assert img["sizes"]


@pytest.mark.django_db
def test_an_image_without_a_caption_stays_a_paragraph():
    """No title, no figure."""
    html = render("![A chart](https://example.org/c.png)").html
    assert Elements(html).names() == ["p", "img"]


@pytest.mark.django_db
def test_an_image_inside_text_keeps_its_title():
    """Only an image alone in its paragraph becomes a figure."""
    html = render('See ![A chart](https://example.org/c.png "Cycle") here.').html
    assert "figure" not in html
    assert Elements(html).first("img")["title"] == "Cycle"


@pytest.mark.django_db
def test_a_caption_may_hold_emphasis_links_and_citations(reference):
    """The caption is Markdown: a source can be cited in it."""
    html = render(
        '![A chart](https://example.org/c.png "From *three* cohorts [@najmabadi2021]")'
    ).html
    caption = re.search(r"<figcaption>(.*)</figcaption>", html)[1]
    assert "<em>three</em>" in caption
    assert '<sup class="citation">[<a href="#ref-1">1</a>]</sup>' in caption


@pytest.mark.django_db
def test_a_figure_never_runs_into_the_next_heading():
    """The image line and the heading stay separate blocks."""
    html = render('![A](https://example.org/a.png "Cap")\n\n## Next').html
    assert Elements(html).names() == ["figure", "img", "figcaption", "h2"]


HOSTILE_IMAGES = [
    '![x](javascript:alert(1) "caption")',
    '![x](https://example.org/a.png "<img src=x onerror=alert(1)>")',
    '![x](https://example.org/a.png "\\" onerror=\\"alert(1)")',
    '![x" onerror="alert(1)](https://example.org/a.png "caption")',
    '![x](data:image/png;base64,AAAA "caption")',
    '![x](https://example.org/a.png "[evil](javascript:alert(1))")',
    '![x](/media/uploads/a.png" onerror="alert(1) "caption")',
]


@pytest.mark.django_db
@pytest.mark.parametrize("markdown", HOSTILE_IMAGES)
def test_no_script_survives_in_image_markdown(markdown):
    """No event handler, javascript: or data: URL, nor smuggled tag."""
    for tag, attrs in Elements(render(markdown).html).tags:
        assert tag in {"p", "figure", "img", "figcaption", "a"}
        for name, value in attrs.items():
            assert not name.startswith("on")
            assert not (value or "").lower().startswith(("javascript:", "data:"))


@pytest.mark.django_db
def test_a_figure_without_alt_text_blocks_submission(writer, reference):
    """A caption is no substitute for alt text."""
    article = create_article(
        writer, body='Claim [@najmabadi2021].\n\n![](https://example.org/a.png "C")'
    )
    [check] = [
        c
        for c in run_checks(article, article.current_revision)
        if c.code == "image_alt"
    ]
    assert check.blocking
    assert "square brackets" in check.message


def test_the_upload_answers_with_the_image_url(client, writer):
    """The editor's image dialog writes the Markdown itself, from the URL."""
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "green").save(buffer, format="PNG")
    client.force_login(writer)
    response = client.post(
        UPLOAD, {"image": SimpleUploadedFile("x.png", buffer.getvalue())}
    )
    assert re.fullmatch(
        r"/media/uploads/[0-9a-f]{32}-40x20\.png", response.json()["url"]
    )
