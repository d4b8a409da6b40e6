"""The reader's side: HEAD everywhere, breadcrumbs and structured data, the
article's own image, sitemap, full-content feeds, valid times, contributor pages."""

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from django.urls import URLResolver, get_resolver

from articles.delivery.prepared import prepare_unprepared_pages
from articles.models import Article, Contributor
from articles.public.feeds import feed_html
from tests.conftest import create_article, publish

BASE = "http://127.0.0.1:8000"
IMAGE_BODY = (
    "![A cervical mucus chart](/media/uploads/chart.png)\n\nMucus [@najmabadi2021]."
)
# A valid HTML date, or global date and time string with whole seconds.
HTML_TIME = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2}))?")


@pytest.fixture
def live(writer, reviewer, editor, reference, topic):
    """A live article in the Fertility topic with an image in its body."""
    article = create_article(writer, body=IMAGE_BODY)
    article.topics.add(topic)
    article.save_revision(by=writer)
    return publish(article, writer, reviewer, editor)


def graph(html: str) -> dict[str, dict]:
    """The JSON-LD @graph's nodes by type (the JSON must parse)."""
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(match.group(1))
    assert data["@context"] == "https://schema.org"
    return {node["@type"]: node for node in data["@graph"]}


def meta(html: str, prop: str) -> str:
    match = re.search(rf'<meta property="{re.escape(prop)}" content="([^"]*)">', html)
    return match.group(1) if match else ""


def public_url_names() -> set[str]:
    """The names of every URL pattern outside /admin/."""
    names = set()

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern).lstrip("^")
            if route.startswith("admin/"):
                continue
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            else:
                names.add(pattern.name)

    walk(get_resolver().url_patterns)
    return names


def test_every_public_url_pattern_answers_head(client, live):
    """HEAD answers like GET, with no body, on every public URL (uncached and
    cached), for live, withdrawn and missing pages alike."""
    samples = {
        "home": ["/"],
        "detail": [live.get_absolute_url(), "/articles/none/"],
        "feedback": [live.get_absolute_url() + "feedback/", "/articles/none/feedback/"],
        "topic": ["/topics/fertility/", "/topics/fertility/?page=1"],
        "contributor": ["/contributors/writer/", "/contributors/reviewer/"],
        "editorial_policy": ["/editorial-policy/"],
        "corrections": ["/corrections/", "/corrections/?page=1"],
        "corrections_feed": ["/corrections/feed/"],
        "search": ["/search/", "/search/?q=mucus"],
        "search_go": [f"/search/go/?q=mucus&to={live.slug}", "/search/go/?to=none"],
        "search_seen": ["/search/seen/?q=mucus&found=1"],
        "suggest": ["/search/suggest/?q=mu", "/search/suggest/"],
        "feed": ["/feed/"],
        "feed_atom": ["/feed/atom/"],
        "preview": ["/preview/not-a-token/"],
        "sitemap": ["/sitemap.xml"],
        "robots_txt": ["/robots.txt"],
        "healthz": ["/healthz"],
        "healthz_status": ["/healthz/status"],
        "media": ["/media/uploads/missing.png"],
    }
    assert public_url_names() <= set(samples), "a public URL has no HEAD sample"
    for url in [url for urls in samples.values() for url in urls]:
        for _ in range(2):  # rendered, then (where cacheable) from the cache
            expected = client.get(url).status_code
            head = client.head(url)
            assert head.status_code == expected != 405, url
            assert head.content == b"", url


def test_head_on_a_withdrawn_article_answers_410(client, live, editor):
    """Link checkers see a withdrawn page as gone, not as a refused method."""
    live.unpublish(by=editor, reason="Out of date.")
    assert client.head(live.get_absolute_url()).status_code == 410


def test_article_has_a_breadcrumb_home_topic_article(client, live):
    """Home › Topic › Article, in a labelled nav with an ordered list."""
    html = client.get(live.get_absolute_url()).content.decode()
    nav = re.search(
        r'<nav class="breadcrumb" aria-label="Breadcrumb">(.*?)</nav>', html, re.S
    )
    assert nav, "no breadcrumb"
    assert "<ol>" in nav.group(1)
    links = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav.group(1))
    assert links == [
        ("/", "Home"),
        ("/topics/fertility/", "Fertility"),
        (live.get_absolute_url(), live.title),
    ]
    assert 'aria-current="page"' in nav.group(1)


def test_breadcrumb_list_in_json_ld(client, live):
    """The BreadcrumbList names the same three steps, with absolute URLs."""
    nodes = graph(client.get(live.get_absolute_url()).content.decode())
    items = nodes["BreadcrumbList"]["itemListElement"]
    assert [(i["position"], i["name"], i["item"]) for i in items] == [
        (1, "Home", f"{BASE}/"),
        (2, "Fertility", f"{BASE}/topics/fertility/"),
        (3, live.title, f"{BASE}{live.get_absolute_url()}"),
    ]
    assert nodes["MedicalWebPage"]["breadcrumb"] == {
        "@id": nodes["BreadcrumbList"]["@id"]
    }


def test_json_ld_has_image_logo_website_and_credentials(client, live):
    """image, publisher.logo, a WebSite with a SearchAction, and the
    reviewer's credentials as structured data."""
    nodes = graph(client.get(live.get_absolute_url()).content.decode())
    article, page, site = nodes["Article"], nodes["MedicalWebPage"], nodes["WebSite"]
    assert article["image"] == [f"{BASE}/media/uploads/chart.png"]
    logo = article["publisher"]["logo"]
    assert logo["@type"] == "ImageObject"
    assert re.fullmatch(rf"{BASE}/static/img/logo(\.[0-9a-f]{{12}})?\.png", logo["url"])
    assert site["url"] == f"{BASE}/"
    action = site["potentialAction"]
    assert action["@type"] == "SearchAction"
    assert action["target"]["urlTemplate"] == f"{BASE}/search/?q={{search_term_string}}"
    assert action["query-input"] == "required name=search_term_string"
    assert page["isPartOf"] == {"@id": site["@id"]}
    reviewer = page["reviewedBy"]
    assert reviewer["@type"] == "Person"
    assert reviewer["name"] == "Dr Rhea Reviewer"
    assert reviewer["honorificSuffix"] == "MD, FACOG"
    assert [c["name"] for c in reviewer["hasCredential"]] == ["MD", "FACOG"]
    assert {c["@type"] for c in reviewer["hasCredential"]} == {
        "EducationalOccupationalCredential"
    }


def test_home_page_names_the_website_and_its_search(client, db):
    """The home page's JSON-LD is the WebSite with its SearchAction and the
    publisher with its logo."""
    nodes = graph(client.get("/").content.decode())
    action = nodes["WebSite"]["potentialAction"]
    assert action["target"]["urlTemplate"].endswith("/search/?q={search_term_string}")
    assert nodes["Organization"]["logo"]["url"].startswith(f"{BASE}/static/img/logo")


def test_json_ld_image_falls_back_to_the_site_image(client, live_article):
    """An article without an image of its own names the site's default."""
    nodes = graph(client.get(live_article.get_absolute_url()).content.decode())
    assert re.fullmatch(
        rf"{BASE}/static/img/og-default(\.[0-9a-f]{{12}})?\.png",
        nodes["Article"]["image"][0],
    )


def test_og_image_is_the_articles_own_image_with_alt(client, live):
    """og:image is the article's image, absolute, with its alt text."""
    html = client.get(live.get_absolute_url()).content.decode()
    assert meta(html, "og:image") == f"{BASE}/media/uploads/chart.png"
    assert meta(html, "og:image:alt") == "A cervical mucus chart"
    assert html.count('property="og:image:alt"') == 1


def test_social_image_wins_over_the_body_image(
    client, writer, reviewer, editor, reference
):
    """The social image chosen for sharing comes before the body's first image."""
    article = create_article(
        writer,
        body=IMAGE_BODY,
        social_image="social/share.png",
        social_image_alt="Two people talking",
    )
    publish(article, writer, reviewer, editor)
    html = client.get(article.get_absolute_url()).content.decode()
    assert meta(html, "og:image") == f"{BASE}/media/social/share.png"
    assert meta(html, "og:image:alt") == "Two people talking"
    assert graph(html)["Article"]["image"] == [f"{BASE}/media/social/share.png"]


def test_default_og_image_has_alt_text(client, db):
    """Pages without an image of their own share the site image, described."""
    html = client.get("/").content.decode()
    assert meta(html, "og:image").startswith(f"{BASE}/static/img/og-default")
    assert meta(html, "og:image:alt")


def test_sitemap_lists_contributors_and_topics(client, live, editor):
    """Author and reviewer profiles and the topic are in the sitemap; people
    with nothing live are not."""
    root = ET.fromstring(client.get("/sitemap.xml").content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = {e.text for e in root.findall("s:url/s:loc", ns)}
    assert f"{BASE}/contributors/writer/" in locations
    assert f"{BASE}/contributors/reviewer/" in locations
    assert f"{BASE}/topics/fertility/" in locations
    assert f"{BASE}/contributors/editor/" not in locations


def test_sitemap_runs_no_more_queries(
    client, live, settings, django_assert_max_num_queries
):
    """Contributors joined the sitemap without adding a query."""
    settings.HEALTH_PAGE_CACHE = False
    with django_assert_max_num_queries(4):
        assert client.get("/sitemap.xml").status_code == 200


def test_rss_carries_full_content_and_topics(client, live):
    """content:encoded holds the sanitized body and references with absolute
    URLs; each topic is a category."""
    root = ET.fromstring(client.get("/feed/").content)
    item = root.find("channel/item")
    content = item.find("{http://purl.org/rss/1.0/modules/content/}encoded").text
    assert "Mucus" in content and "Najmabadi S" in content
    assert f'src="{BASE}/media/uploads/chart.png"' in content
    assert f'href="{BASE}{live.get_absolute_url()}#ref-1"' in content
    assert not re.search(r'(href|src)="[/#]', content)
    assert [c.text for c in item.findall("category")] == ["Fertility", "Health"]


def test_atom_carries_full_content_and_topics(client, live):
    """Atom entries have HTML content and the topics as categories."""
    atom = "{http://www.w3.org/2005/Atom}"
    root = ET.fromstring(client.get("/feed/atom/").content)
    entry = root.find(f"{atom}entry")
    content = entry.find(f"{atom}content")
    assert content.get("type") == "html"
    assert f'src="{BASE}/media/uploads/chart.png"' in content.text
    assert [c.get("term") for c in entry.findall(f"{atom}category")] == [
        "Fertility",
        "Health",
    ]


def test_feed_lists_each_article_once(client, live):
    """Per-contributor listings never leak into the site-wide feed."""
    root = ET.fromstring(client.get("/feed/").content)
    assert len(root.findall("channel/item")) == 1


def test_feed_html_is_sanitized_and_absolute():
    """Scripts, handlers and javascript: links never reach a feed entry."""
    html = feed_html(
        '<p onclick="x()">Hi <a href="javascript:alert(1)">a</a>'
        '<a href="/topics/x/">b</a></p><script>alert(1)</script>'
        '<img src="/media/a.png" alt="A"'
        ' srcset="/media/a-480.png 480w, /media/a.png 960w">',
        f"{BASE}/articles/a/",
    )
    assert "script" not in html and "onclick" not in html and "javascript" not in html
    assert f'href="{BASE}/topics/x/"' in html
    assert f'srcset="{BASE}/media/a-480.png 480w, {BASE}/media/a.png 960w"' in html


class TimeCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values = []

    def handle_starttag(self, tag, attrs):
        if tag == "time":
            self.values.append(dict(attrs).get("datetime"))


@pytest.mark.parametrize(
    "url",
    [
        "article",
        "/",
        "/topics/fertility/",
        "/contributors/writer/",
        "/contributors/reviewer/",
    ],
)
def test_time_datetime_values_are_valid_html(client, live, url):
    """Every <time datetime> is a valid HTML date or date and time: no microseconds."""
    Article.objects.filter(pk=live.pk).update(
        first_published_at=live.first_published_at.replace(microsecond=123456)
    )
    live.refresh_from_db()
    from articles.delivery.prepared import prepare_live_page

    prepare_live_page(
        Article.objects.select_related("live_revision", "live_approval").get(pk=live.pk)
    )
    page = live.get_absolute_url() if url == "article" else url
    collector = TimeCollector()
    collector.feed(client.get(page).content.decode())
    assert collector.values, "no <time> on the page"
    for value in collector.values:
        assert value and HTML_TIME.fullmatch(value), value


def test_contributor_pages_separate_written_and_reviewed(client, live):
    """The writer's page lists the article under "Written by", the reviewer's
    under "Medically reviewed by"."""
    writer_page = client.get("/contributors/writer/").content.decode()
    assert "Written by Wendy Writer" in writer_page
    assert "Medically reviewed by" not in writer_page
    assert live.title in writer_page
    reviewer_page = client.get("/contributors/reviewer/").content.decode()
    assert "Medically reviewed by Dr Rhea Reviewer" in reviewer_page
    assert "Written by" not in reviewer_page
    assert live.title in reviewer_page


def test_contributor_page_shows_the_writers_credentials(client, writer, live):
    """A writer's credentials, specialty and registration are on their page."""
    Contributor.objects.filter(user=writer).update(
        credentials="RN, MSc", specialty="Midwifery", registration="NMC 12A3456B"
    )
    html = client.get("/contributors/writer/").content.decode()
    for text in ("Credentials", "RN, MSc", "Midwifery", "NMC 12A3456B"):
        assert text in html


def test_contributor_page_runs_two_queries(
    client, live, settings, django_assert_num_queries
):
    """Both lists come from one query, so the page still costs two."""
    settings.HEALTH_PAGE_CACHE = False
    with django_assert_num_queries(2):
        assert client.get("/contributors/reviewer/").status_code == 200


def test_contributor_lists_page_together(client, writer, reviewer, editor, reference):
    """Eleven reviewed articles: ten on page 1, one on page 2."""
    for n in range(11):
        publish(
            create_article(writer, slug=f"p-{n}", title=f"Article {n}"),
            writer,
            reviewer,
            editor,
        )
    first = client.get("/contributors/reviewer/").content.decode()
    assert first.count('class="card"') == 10 and 'rel="next"' in first
    second = client.get("/contributors/reviewer/?page=2").content.decode()
    assert second.count('class="card"') == 1 and 'rel="prev"' in second
    assert client.get("/contributors/reviewer/?page=3").status_code == 404


def test_pages_prepared_in_an_older_format_are_prepared_again(live):
    """After an upgrade, `migrate` re-prepares live pages of an older layout."""
    Article.objects.filter(pk=live.pk).update(
        live_card={"title": "old"}, live_html="old"
    )
    assert prepare_unprepared_pages() == 1
    live.refresh_from_db()
    assert 'class="breadcrumb"' in live.live_html
    assert prepare_unprepared_pages() == 0


def test_topic_pages_describe_themselves_as_a_collection(client, live, topic):
    """A topic page's JSON-LD is a CollectionPage about the topic, part of the
    site."""
    topic.description = "Trying to conceive: cycles, timing and tests."
    topic.save()
    nodes = graph(client.get(topic.get_absolute_url()).content.decode())
    page = nodes["CollectionPage"]
    assert page["url"] == f"{BASE}/topics/fertility/"
    assert page["name"] == "Fertility" and page["about"]["name"] == "Fertility"
    assert page["description"] == topic.description
    assert page["isPartOf"] == {"@id": f"{BASE}/#website"}
    assert nodes["WebSite"]["@id"] == f"{BASE}/#website"


def test_contributor_pages_are_profile_pages_with_credentials(client, live, reviewer):
    """A contributor page's JSON-LD is a ProfilePage whose main entity is the
    Person, with what the page shows: credentials, specialty, registration."""
    profile = Contributor.objects.get(user=reviewer)
    profile.specialty = "Obstetrics and gynaecology"
    profile.registration = "GMC 1234567"
    profile.bio = "Consultant. </script><script>alert(1)</script>"
    profile.save()
    html = client.get(profile.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    nodes = graph(html)
    person = nodes["Person"]
    url = f"{BASE}/contributors/{profile.slug}/"
    assert nodes["ProfilePage"]["mainEntity"] == {"@id": f"{url}#person"}
    assert nodes["ProfilePage"]["name"] == "Dr Rhea Reviewer, MD, FACOG"
    assert person["@id"] == f"{url}#person" and person["url"] == url
    assert person["name"] == "Dr Rhea Reviewer"
    assert person["honorificSuffix"] == "MD, FACOG"
    assert [c["name"] for c in person["hasCredential"]] == ["MD", "FACOG"]
    assert person["knowsAbout"] == "Obstetrics and gynaecology"
    assert person["identifier"] == "GMC 1234567"
    assert person["description"] == profile.bio
