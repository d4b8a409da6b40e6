"""Body images get smaller WebP copies for `srcset`, made once by a task, and
the render pipeline describes them from their names alone."""

import io
import re
from html.parser import HTMLParser

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles import images
from articles.rendering import CLEANER, render
from tests.tasks import run_tasks

UPLOAD = "/admin/markdownx/upload/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def picture(width: int, height: int, fmt: str = "JPEG", mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), (200, 80, 40, 128)[: len(mode)]).save(
        buffer, format=fmt
    )
    return buffer.getvalue()


def upload(client, writer, data: bytes, name: str = "photo.jpg") -> str:
    """Upload through the editor's endpoint; return the stored image's URL."""
    client.force_login(writer)
    response = client.post(UPLOAD, {"image": SimpleUploadedFile(name, data)})
    assert response.status_code == 200
    return re.fullmatch(r"\n!\[\]\((.+)\)\n", response.json()["image_code"])[1]


def image_attributes(html: str) -> dict[str, str]:
    """The attributes of the one `img` in the HTML."""
    found = []

    class Images(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "img":
                found.append(dict(attrs))

    Images().feed(html)
    [attributes] = found
    return attributes


def stored(url: str) -> str:
    return url.removeprefix("/media/")


def test_the_upload_is_stored_under_a_name_that_carries_its_size(client, writer):
    """2400 × 1200 is re-encoded to 1600 × 800 and named so."""
    url = upload(client, writer, picture(2400, 1200))
    assert re.fullmatch(r"/media/uploads/[0-9a-f]{32}-1600x800\.jpg", url)
    with default_storage.open(stored(url)) as file, Image.open(file) as image:
        assert image.size == (1600, 800)


def test_variants_are_made_by_a_task_not_in_the_request(client, writer):
    """The request stores one file; the task stores 480, 800 and 1200 px WebPs."""
    url = upload(client, writer, picture(2400, 1200))
    name = stored(url)
    assert default_storage.listdir("uploads")[1] == [name.split("/")[1]]
    assert run_tasks(commit_first=True) == 1
    stem = name.removesuffix("-1600x800.jpg")
    for width, height in [(480, 240), (800, 400), (1200, 600)]:
        variant = f"{stem}-{width}w.webp"
        with default_storage.open(variant) as file, Image.open(file) as image:
            assert (image.format, image.size) == ("WEBP", (width, height))


def test_a_small_image_gets_only_narrower_copies(client, writer):
    """A 600 px wide image gets a 480 px copy and nothing wider."""
    url = upload(client, writer, picture(600, 450, "PNG"), "small.png")
    run_tasks(commit_first=True)
    assert sorted(default_storage.listdir("uploads")[1]) == sorted(
        [stored(url).split("/")[1], stored(url).split("/")[1][:32] + "-480w.webp"]
    )


def test_transparency_survives_in_the_copies(client, writer):
    """A transparent PNG's copies keep their alpha channel."""
    url = upload(client, writer, picture(1000, 500, "PNG", "RGBA"), "clear.png")
    run_tasks(commit_first=True)
    variant = images.variant_names(stored(url))[480]
    with default_storage.open(variant) as file, Image.open(file) as image:
        assert image.mode == "RGBA"


def test_making_the_copies_again_changes_nothing(client, writer):
    """A repeated or late run leaves existing copies alone."""
    url = upload(client, writer, picture(2000, 1000))
    run_tasks(commit_first=True)
    before = {
        name: default_storage.get_modified_time(f"uploads/{name}")
        for name in default_storage.listdir("uploads")[1]
    }
    assert images.make_variants.call(stored(url)) == []
    after = {
        name: default_storage.get_modified_time(f"uploads/{name}")
        for name in default_storage.listdir("uploads")[1]
    }
    assert after == before


def test_render_gives_our_images_their_size_and_srcset(client, writer):
    """Width, height, lazy loading and every stored copy, widest last."""
    url = upload(client, writer, picture(2400, 1200))
    run_tasks(commit_first=True)
    stem = url.removesuffix("-1600x800.jpg")
    assert image_attributes(render(f"![A chart]({url})").html) == {
        "src": url,
        "alt": "A chart",
        "width": "1600",
        "height": "800",
        "loading": "lazy",
        "decoding": "async",
        "srcset": f"{stem}-480w.webp 480w, {stem}-800w.webp 800w, "
        f"{stem}-1200w.webp 1200w, {url} 1600w",
        "sizes": "(max-width: 46rem) calc(100vw - 2rem), 44rem",
    }


def test_images_on_another_origin_storage_get_their_srcset(
    client, writer, settings, media_root
):
    """With media served from elsewhere (object storage, a CDN), the copies
    are found through the storage and listed with that origin's URLs."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {
                "location": media_root,
                "base_url": "https://media.example.org/",
            },
        },
    }
    url = upload(client, writer, picture(1000, 500))
    assert url.startswith("https://media.example.org/uploads/")
    run_tasks(commit_first=True)
    attributes = image_attributes(render(f"![A chart]({url})").html)
    stem = url.removesuffix("-1000x500.jpg")
    assert (
        attributes["srcset"]
        == f"{stem}-480w.webp 480w, {stem}-800w.webp 800w, {url} 1000w"
    )
    assert attributes["width"] == "1000"


def test_before_the_task_runs_there_is_no_srcset(client, writer):
    """Only copies that exist are listed; the size is known at once."""
    url = upload(client, writer, picture(2400, 1200))
    html = render(f"![A chart]({url})").html
    assert 'width="1600" height="800"' in html
    assert "srcset" not in html


def test_rendering_never_opens_the_image(client, writer):
    """The size comes from the name: with the original gone, it still renders."""
    url = upload(client, writer, picture(2400, 1200))
    run_tasks(commit_first=True)
    default_storage.delete(stored(url))
    html = render(f"![A chart]({url})").html
    assert 'width="1600" height="800"' in html
    assert "480w" in html


def test_other_media_gets_lazy_loading_only(db):
    """A media file without a size in its name gets no width, height or srcset."""
    html = render("![Old](/media/uploads/0f3a.png)").html
    assert '<img src="/media/uploads/0f3a.png" alt="Old" loading="lazy" ' in html
    assert "width" not in html


def test_images_from_elsewhere_are_left_as_they_are(db):
    """An https image gets no hints: we know nothing about it."""
    html = render("![Far](https://example.org/a-1600x800.jpg)").html
    assert html.strip() == (
        '<p><img src="https://example.org/a-1600x800.jpg" alt="Far"></p>'
    )


@pytest.mark.parametrize(
    "srcset",
    [
        "http://example.org/a.png 480w",
        "javascript:alert(1) 480w",
        "data:image/png;base64,iVBORw0KGgo= 480w",
        "/media/a.webp 480w, //evil.example/a.png 800w",
        "/media/a.webp",
        "/media/a.webp 480w onerror=alert(1)",
    ],
)
def test_srcset_candidates_pass_the_same_check_as_src(srcset):
    """Every candidate must be our own media or https, with a width descriptor."""
    html = CLEANER.clean(f'<img src="/media/a.png" srcset="{srcset}">')
    assert html == '<img src="/media/a.png">'


@pytest.mark.parametrize(
    "attribute",
    ['width="100%"', 'height="1e9"', 'loading="eager"', 'decoding="sync"'],
)
def test_size_hints_must_be_plain(attribute):
    """Hints other than the ones we write are dropped."""
    assert CLEANER.clean(f"<img src=/media/a.png {attribute}>") == (
        '<img src="/media/a.png">'
    )


def test_an_uploaded_image_never_loads_from_elsewhere_through_srcset(client, writer):
    """Hand-written Markdown cannot add a srcset: raw HTML is off."""
    html = render('<img src="/media/a.png" srcset="https://evil.example/x 1w">').html
    assert "<img" not in html
