"""The reader's site: SEO, structured data, caching, search, feeds, sitemaps."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.urls import reverse

from articles.models import Article, Topic
from tests.conftest import META, create_article, publish
from tests.tasks import run_tasks


@pytest.fixture
def many_live(writer, reviewer, editor, reference, topic):
    """Twelve live articles in one topic."""
    articles = []
    for n in range(12):
        article = create_article(
            writer,
            slug=f"live-{n}",
            title=f"Live article {n} about fertility",
            body=f"## Section {n}\n\nFertility text {n} [@najmabadi2021].",
        )
        article.topics.add(topic)
        article.save_revision(by=writer)
        articles.append(publish(article, writer, reviewer, editor))
    return articles


def json_ld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_json_ld_matches_the_database(client, live_article, reviewer):
    """The @graph's MedicalWebPage and Article carry the database's values."""
    live_article.refresh_from_db()
    data = json_ld(client.get(live_article.get_absolute_url()).content.decode())
    page, article, *_ = data["@graph"]  # then the breadcrumb and the website
    revision = live_article.live_revision
    assert page["@type"] == "MedicalWebPage"
    assert page["lastReviewed"] == live_article.last_reviewed.isoformat()
    assert page["reviewedBy"]["name"] == "Dr Rhea Reviewer"
    assert page["reviewedBy"]["honorificSuffix"] == "MD, FACOG"
    assert page["reviewedBy"]["url"].endswith("/contributors/reviewer/")
    assert page["medicalAudience"]["audienceType"] == "Patient"
    assert article["@type"] == "Article"
    assert article["headline"] == revision.title
    assert [a["name"] for a in article["author"]] == ["Wendy Writer"]
    assert article["datePublished"] == live_article.first_published_at.isoformat()
    assert article["dateModified"] == live_article.last_published_at.isoformat()
    assert article["publisher"]["name"]
    assert article["citation"] == [
        {
            "@type": "ScholarlyArticle",
            "name": revision.cited[0]["title"],
            "sameAs": "https://doi.org/10.1093/humrep/deab049",
        }
    ]


def test_article_has_seo_and_social_tags(client, live_article):
    """Title, description, canonical, Open Graph and Twitter tags are present."""
    html = client.get(live_article.get_absolute_url()).content.decode()
    assert "<title>Cervical mucus and the fertile window | " in html
    assert f'<meta name="description" content="{META}">' in html
    assert '<link rel="canonical" href="http://127.0.0.1:8000/articles/' in html
    for tag in (
        'property="og:title"',
        'property="og:type" content="article"',
        'property="og:image"',
        'property="og:url"',
        'property="article:published_time"',
        'property="article:modified_time"',
        'name="twitter:card"',
    ):
        assert tag in html


def test_short_meta_description_is_used_as_written(
    client, writer, reviewer, editor, reference
):
    """The page uses the article's own meta description."""
    article = create_article(writer, meta_description="x")
    article = publish(article, writer, reviewer, editor)
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<meta name="description" content="x">' in html


def test_article_sends_strong_etag_and_answers_304(client, live_article):
    """Public pages are cacheable, with an ETag that yields 304."""
    first = client.get(live_article.get_absolute_url())
    etag = first["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert "public" in first["Cache-Control"]
    again = client.get(live_article.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304


def test_etag_changes_when_an_update_is_published(
    client, live_article, writer, reviewer, editor, django_capture_on_commit_callbacks
):
    """A new live revision gives a new ETag (and purges the cached page)."""
    etag = client.get(live_article.get_absolute_url())["ETag"]
    live_article.body = "New text [@najmabadi2021]."
    live_article.save_revision(by=writer, change_class="update")
    with django_capture_on_commit_callbacks(execute=True):
        publish(live_article, writer, reviewer, editor)
    assert client.get(live_article.get_absolute_url())["ETag"] != etag


def test_page_shows_toc_disclosures_history_and_related(
    client, many_live, writer, reviewer, editor
):
    """The article page has the TOC, update history and related articles."""
    article = many_live[0]
    Article.objects.filter(pk=article.pk).update(disclosures="None to declare.")
    article.refresh_from_db()
    article.disclosures = "Funded by nobody."
    article.save_revision(by=writer, note="Added a disclosure", change_class="update")
    publish(article, writer, reviewer, editor)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "On this page" in html and 'href="#section-0"' in html
    assert "Funded by nobody." in html
    assert "Update history" in html and "Added a disclosure" in html
    assert "First published" in html
    assert "Related articles" in html and "Live article 11 about fertility" in html


@pytest.mark.parametrize("count", [2, 12])
def test_query_counts_do_not_grow_with_items(
    client,
    writer,
    reviewer,
    editor,
    reference,
    topic,
    count,
    django_assert_max_num_queries,
):
    """Home, article, topic, contributor and search stay at ≤ 5 queries."""
    articles = []
    for n in range(count):
        article = create_article(writer, slug=f"q-{n}", title=f"Fertility {n}")
        article.topics.add(topic)
        article.save_revision(by=writer)
        articles.append(publish(article, writer, reviewer, editor))
    urls = [
        "/",
        articles[0].get_absolute_url(),
        topic.get_absolute_url(),
        "/contributors/writer/",
        "/search/?q=fertility",
    ]
    for url in urls:
        with django_assert_max_num_queries(5):
            assert client.get(url).status_code == 200, url


def test_article_page_at_most_four_queries(
    client, many_live, django_assert_max_num_queries
):
    """The article page needs at most 4 queries with related articles shown."""
    with django_assert_max_num_queries(4):
        client.get(many_live[3].get_absolute_url())


def test_topic_and_contributor_pages_paginate(client, many_live, topic):
    """Lists are paginated 10 to a page, without counting every article."""
    html = client.get(topic.get_absolute_url()).content.decode()
    assert "Page 1</span>" in html and 'rel="next"' in html
    assert html.count('class="card"') == 10
    second = client.get(topic.get_absolute_url() + "?page=2").content.decode()
    assert second.count('class="card"') == 2 and 'rel="next"' not in second
    assert client.get(topic.get_absolute_url() + "?page=3").status_code == 404
    # Not a page number: redirected to the list's own address.
    junk = client.get(topic.get_absolute_url() + "?page=x")
    assert junk.status_code == 301 and junk["Location"] == topic.get_absolute_url()
    html = client.get("/contributors/writer/").content.decode()
    assert "Page 1</span>" in html


def test_contributor_profile_lists_reviewed_articles(client, live_article):
    """A reviewer's profile shows credentials and the articles they reviewed."""
    html = client.get("/contributors/reviewer/").content.decode()
    assert "MD, FACOG" in html
    assert live_article.title in html


def test_editorial_policy_uses_real_settings(client, db):
    """The policy states the configured review intervals."""
    Topic.objects.create(name="Pregnancy loss", slug="loss", review_interval_months=24)
    html = client.get("/editorial-policy/").content.decode()
    assert "at least every 3 years" in html
    assert "Pregnancy loss: every 2 years" in html


def test_search_finds_and_highlights(client, many_live):
    """Search finds live articles; PostgreSQL highlights the match."""
    run_tasks(commit_first=True)
    html = client.get("/search/?q=fertility").content.decode()
    assert "Live article" in html
    assert "result" in html
    if connection.vendor == "postgresql":
        assert "<mark>" in html


def test_search_never_shows_drafts(client, writer, reference, many_live):
    """Unpublished articles are never search results."""
    create_article(writer, slug="draft-x", title="Zebrafish draft")
    run_tasks(commit_first=True)
    html = client.get("/search/?q=zebrafish").content.decode()
    assert "Zebrafish draft" not in html
    assert "No articles match" in html


@pytest.mark.parametrize("q", ["", "   ", "&&&|||!!!", "x" * 5000, "'; DROP TABLE"])
def test_search_handles_empty_and_absurd_queries(client, db, q):
    """Empty or absurd queries get a friendly page, not an error."""
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200


def test_sitemap_lists_only_live_articles_with_lastmod(client, live_article, writer):
    """The sitemap has live articles with lastmod, never drafts."""
    create_article(writer, slug="hidden-draft")
    xml = client.get("/sitemap.xml").content.decode()
    assert live_article.get_absolute_url() in xml
    assert "hidden-draft" not in xml
    root = ET.fromstring(xml)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    lastmods = [e.text for e in root.findall("s:url/s:lastmod", ns)]
    assert live_article.last_published_at.date().isoformat() in lastmods


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_feeds_list_only_live_articles(client, live_article, writer, url):
    """RSS and Atom feeds carry live articles only."""
    create_article(writer, slug="feed-draft", title="Feed draft title")
    xml = client.get(url).content.decode()
    assert live_article.title in xml
    assert "Feed draft title" not in xml


def test_robots_txt_points_at_sitemap(client, db):
    """robots.txt keeps crawlers out of admin and previews."""
    text = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in text
    assert "Disallow: /preview/" in text
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in text


def test_withdrawn_page_is_noindex(client, live_article, editor):
    """Withdrawn pages answer 410 and are not indexed."""
    live_article.unpublish(by=editor, reason="Outdated.")
    response = client.get(live_article.get_absolute_url())
    assert response.status_code == 410
    assert b'content="noindex"' in response.content


def test_404_uses_site_design(client, db):
    """Unknown pages answer 404 with the site's layout."""
    response = client.get("/articles/no-such-article/")
    assert response.status_code == 404
    assert b"Skip to main content" in response.content


def test_static_files_are_hashed(client, live_article, settings):
    """Stylesheets are served from hashed, compressed names through whitenoise."""
    html = client.get(live_article.get_absolute_url()).content.decode()
    assert re.search(r'href="/static/css/site\.[0-9a-f]{12}\.css"', html)


def test_admin_shows_seo_counter_script(client, article, writer):
    """The change form loads the live SEO character counter."""
    client.force_login(writer)
    html = client.get(
        reverse("admin:articles_article_change", args=[article.pk])
    ).content.decode()
    assert "editorial/editor/editor" in html
