import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from articles.models import Contributor
from tests.conftest import create_article, make_user


def detail_url(article):
    return reverse("articles:detail", args=[article.slug])


def test_live_article_shows_reviewer_byline(client, live_article):
    """The page names the reviewer with credentials and the review date."""
    html = client.get(detail_url(live_article)).content.decode()
    assert "Medically reviewed by" in html
    assert "Dr Rhea Reviewer, MD, FACOG" in html
    assert "Wendy Writer" in html
    assert "Page last reviewed:" in html
    assert "Next review due:" in html
    assert "does not replace" in html


def test_live_article_renders_stored_html_and_references(client, live_article):
    """Citations link to the numbered reference list."""
    html = client.get(detail_url(live_article)).content.decode()
    assert '<a href="#ref-1">1</a>' in html
    assert 'id="ref-1"' in html
    assert "https://doi.org/10.1093/humrep/deab049" in html
    assert "https://pubmed.ncbi.nlm.nih.gov/33990841/" in html


def test_home_lists_only_live_articles(client, live_article, writer):
    """Drafts never appear on the home page."""
    create_article(writer, slug="secret-draft", title="Secret draft title")
    html = client.get("/").content.decode()
    assert live_article.title in html
    assert "Secret draft title" not in html


def test_draft_is_404_even_for_its_author(client, article, writer):
    """A never-published article is not found, even when logged in."""
    client.force_login(writer)
    assert client.get(detail_url(article)).status_code == 404


def test_in_review_article_is_404(client, article, writer):
    """An article in review is not public."""
    article.submit_for_review(by=writer)
    assert client.get(detail_url(article)).status_code == 404


def test_withdrawn_article_is_410(client, live_article, editor):
    """A withdrawn article answers 410 Gone with the reason."""
    live_article.unpublish(by=editor, reason="Superseded by new guidance.")
    response = client.get(detail_url(live_article))
    assert response.status_code == 410
    assert b"Superseded by new guidance." in response.content


def test_update_in_review_is_not_shown(client, live_article, writer):
    """Readers see the live text while an update is in review."""
    live_article.body = "UNREVIEWED UPDATE [@najmabadi2021]."
    live_article.title = "Unreviewed title"
    live_article.save_revision(by=writer, change_class="update")
    live_article.submit_for_review(by=writer)
    html = client.get(detail_url(live_article)).content.decode()
    assert "UNREVIEWED UPDATE" not in html
    assert "Unreviewed title" not in html
    assert "Mucus changes" in html


def test_article_page_query_count_is_bounded(
    client, live_article, writer, reviewer, editor, django_assert_max_num_queries
):
    """The article page runs at most 4 queries, whatever the authors or topics."""
    for n in range(5):
        contributor = Contributor.objects.create(display_name=f"A{n}", slug=f"a{n}")
        live_article.authors.add(contributor)
        live_article.topics.create(name=f"Topic {n}", slug=f"topic-{n}")
    live_article.save_revision(by=writer, change_class="update")
    live_article.submit_for_review(by=writer)
    live_article.approve(by=reviewer, change_class="update")
    live_article.publish(by=editor)
    with django_assert_max_num_queries(4):
        response = client.get(detail_url(live_article))
    assert response.status_code == 200
    assert "A4" in response.content.decode()


# The markdownx endpoints ------------------------------------------------------

PREVIEW = "/admin/markdownx/markdownify/"
UPLOAD = "/admin/markdownx/upload/"


def test_preview_refuses_anonymous(client):
    """Anonymous users are sent to the login page, and nothing is rendered."""
    response = client.post(PREVIEW, {"content": "# hi"})
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_preview_refuses_non_staff(client, db):
    """A logged-in user without staff status cannot use the preview."""
    user = make_user("reader")
    user.is_staff = False
    user.save()
    client.force_login(user)
    assert client.post(PREVIEW, {"content": "# hi"}).status_code == 302


def test_preview_refuses_staff_without_article_permission(client, db):
    """Staff who cannot edit articles get 403."""
    client.force_login(make_user("staffonly"))
    assert client.post(PREVIEW, {"content": "# hi"}).status_code == 403


def test_preview_renders_like_the_public_page(client, writer, reference):
    """The preview uses the same sanitizing render function as revisions."""
    client.force_login(writer)
    response = client.post(
        PREVIEW,
        {"content": "Hi [@najmabadi2021] <script>alert(1)</script>"},
    )
    html = response.content.decode()
    assert '<a href="#ref-1">1</a>' in html
    assert "<script>" not in html
    assert "Hum Reprod" in html
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "name,payload,content_type",
    [
        ("evil.html", b"<script>alert(1)</script>", "image/gif"),
        (
            "x.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "image/svg+xml",
        ),
    ],
)
def test_upload_refuses_non_raster_files(
    client, writer, tmp_path, settings, name, payload, content_type
):
    """HTML and SVG uploads are refused whatever the client claims."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(writer)
    upload = SimpleUploadedFile(name, payload, content_type=content_type)
    response = client.post(UPLOAD, {"image": upload})
    assert response.status_code == 400
    assert not any(tmp_path.rglob("*.*"))


def test_upload_stores_reencoded_png(client, writer, tmp_path, settings):
    """A PNG named .html is stored as .png after re-encoding."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    client.force_login(writer)
    upload = SimpleUploadedFile("x.html", buffer.getvalue(), content_type="text/html")
    response = client.post(UPLOAD, {"image": upload})
    assert response.status_code == 200
    assert response.json()["image_code"].strip().endswith(".png)")


def test_upload_refuses_anonymous(client):
    """Anonymous uploads are redirected to the login page."""
    assert client.post(UPLOAD, {}).status_code == 302


def test_groups_come_from_migration(db):
    """The three editorial groups exist with their custom permissions."""
    reviewers = Group.objects.get(name="Medical reviewers")
    editors = Group.objects.get(name="Editors")
    assert reviewers.permissions.filter(codename="review_article").exists()
    assert editors.permissions.filter(codename="publish_article").exists()
    assert Group.objects.filter(name="Writers").exists()
