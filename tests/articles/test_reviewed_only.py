"""Readers see only what a reviewer approved: no edit to the working copy, of
any field or relation, changes a byte of any public page until the update is
approved and published."""

import io

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from articles.models import Article, Contributor, Topic
from tests.conftest import make_user

PUBLIC_URLS = [
    "/",
    "/articles/cervical-mucus/",
    "/topics/fertility/",
    "/topics/pregnancy-loss/",
    "/contributors/writer/",
    "/contributors/reviewer/",
    "/contributors/famous/",
    "/search/?q=mucus",
    "/search/?q=miracle",
    "/feed/",
    "/feed/atom/",
    "/sitemap.xml",
    "/robots.txt",
    "/editorial-policy/",
]


def png(colour: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buffer, format="PNG")
    return SimpleUploadedFile("social.png", buffer.getvalue(), "image/png")


def snapshot(client) -> dict[str, bytes]:
    """Every public URL's status and bytes, rendered afresh (not from the cache)."""
    caches["pages"].clear()
    pages = {}
    for url in PUBLIC_URLS:
        response = client.get(url)
        assert response.status_code in {200, 404}, url
        pages[url] = response.status_code, response.content
    return pages


@pytest.fixture
def famous(db):
    """A credentialed doctor whom a writer might like to claim as co-author."""
    return Contributor.objects.create(
        display_name="Dr Famous", credentials="MD, PhD", slug="famous"
    )


@pytest.fixture
def topics(db):
    return (
        Topic.objects.create(name="Fertility", slug="fertility"),
        Topic.objects.create(name="Pregnancy loss", slug="pregnancy-loss"),
    )


@pytest.fixture
def published(live_article, topics, writer, reviewer, editor):
    """A live article whose live revision has a topic, a social image and alt."""
    live_article.topics.add(topics[0])
    live_article.social_image = png("red")
    live_article.social_image_alt = "A red square"
    live_article.disclosures = "None."
    live_article.save()
    live_article.save_revision(by=writer, change_class="update")
    live_article.submit_for_review(by=writer)
    live_article.approve(by=reviewer, change_class="update")
    live_article.publish(by=editor)
    return live_article


def edit_everything(client, article, famous, topics, reference) -> None:
    """Change every field of the admin form, relations and image included."""
    form = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    base_version = form.context["adminform"].form.initial["base_version"]
    response = client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        {
            "title": "Miracle cure title",
            "summary": "An unreviewed miracle summary.",
            "body": "Unreviewed miracle claim [@najmabadi2021].",
            "change_note": "Sneaky",
            "base_version": base_version,
            "authors": [article.authors.first().pk, famous.pk],
            "topics": [topics[1].pk],
            "references": [reference.pk],
            "seo_title": "Miracle SEO",
            "meta_description": "Unreviewed miracle meta description " * 4,
            "social_image": png("blue"),
            "social_image_alt": "Unreviewed alt",
            "medical_audience": "clinician",
            "disclosures": "Unreviewed sponsorship.",
            "review_interval_months": 6,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors


def test_no_public_byte_changes_until_the_update_is_published(
    client,
    published,
    writer,
    reviewer,
    editor,
    famous,
    topics,
    reference,
    django_capture_on_commit_callbacks,
):
    """Every public URL is byte-identical after the working copy changes."""
    before = snapshot(client)
    assert b"Dr Famous" not in before["/articles/cervical-mucus/"][1]

    writer_client = type(client)()
    writer_client.force_login(writer)
    edit_everything(writer_client, published, famous, topics, reference)
    published.refresh_from_db()
    assert published.title == "Miracle cure title"
    assert published.status == Article.Status.DRAFT

    assert snapshot(client) == before

    published.save_revision(by=writer, change_class="update")
    published.submit_for_review(by=writer)
    published.approve(by=reviewer, change_class="update")
    assert snapshot(client) == before

    with django_capture_on_commit_callbacks(execute=True):
        published.publish(by=editor)  # the purge runs once this commits
    after = snapshot(client)
    page = after["/articles/cervical-mucus/"][1].decode()
    assert "Miracle cure title" in page
    assert "Dr Famous, MD, PhD" in page
    assert "Pregnancy loss" in page
    assert "Unreviewed sponsorship." in page
    assert b"Cervical mucus" not in after["/topics/fertility/"][1].split(b"<main")[1]
    assert b"Miracle cure title" in after["/topics/pregnancy-loss/"][1]
    assert b"Miracle cure title" in after["/contributors/famous/"][1]


def test_adding_a_doctor_as_author_needs_review(client, published, writer, famous):
    """Claiming a credentialed co-author voids nothing silently: it is a new
    revision that needs approval, and the public byline stays."""
    published.authors.add(famous)
    revision = published.save_revision(by=writer)
    assert revision is not None
    assert "Dr Famous" in [byline["name"] for byline in revision.bylines]
    published.refresh_from_db()
    assert published.live_revision.bylines == [writer.contributor.as_byline()]
    html = client.get(published.get_absolute_url()).content.decode()
    assert "Dr Famous" not in html


def test_renaming_an_author_profile_needs_review(client, published, writer):
    """Credentials as shown are part of the reviewed revision."""
    contributor = writer.contributor
    contributor.credentials = "MD (self-awarded)"
    contributor.save()
    html = client.get(published.get_absolute_url()).content.decode()
    assert "self-awarded" not in html
    revision = published.save_revision(by=writer)
    assert revision.bylines[0]["credentials"] == "MD (self-awarded)"


def test_an_author_in_the_bylines_cannot_approve(live_article, writer, editor):
    """A reviewer named in the revision's bylines may not approve it."""
    doctor = make_user(
        "doctor", "Medical reviewers", display_name="Dr Doc", credentials="MD"
    )
    live_article.authors.add(doctor.contributor)
    live_article.save_revision(by=writer, change_class="update")
    live_article.submit_for_review(by=writer)
    from articles.workflow import WorkflowError

    with pytest.raises(WorkflowError, match="author"):
        live_article.approve(by=doctor)


def test_withdrawn_page_shows_the_last_live_title(client, published, writer, editor):
    """The 410 page names the title readers knew, not a later working copy."""
    published.title = "Defamatory working title"
    published.save()
    published.save_revision(by=writer)
    published.unpublish(by=editor, reason="Superseded.")
    response = client.get(published.get_absolute_url())
    assert response.status_code == 410
    html = response.content.decode()
    assert "Cervical mucus and the fertile window" in html
    assert "Defamatory" not in html


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/", "/sitemap.xml", "/"])
def test_absolute_urls_come_from_the_base_url(client, published, settings, url):
    """Links use HEALTH_SITE["BASE_URL"], whatever Host the request names."""
    settings.ALLOWED_HOSTS = ["evil.example"]
    settings.HEALTH_SITE = {**settings.HEALTH_SITE, "BASE_URL": "https://health.org"}
    body = client.get(url, HTTP_HOST="evil.example").content.decode()
    assert "https://health.org/" in body
    assert "evil.example" not in body
