"""Public pages. Every query goes through `Article.objects.live()`."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from articles import reader_reports
from articles.absolute_urls import absolute
from articles.delivery import page_cache
from articles.delivery.structured_data import (
    contributor_structured_data,
    site_structured_data,
    topic_structured_data,
)
from articles.models import Article, Contributor, Listing, Topic
from articles.public import search as article_search
from articles.public.contributors import ContributorPage
from articles.public.feedback import blank_report_fields

PAGE_SIZE = 10
# Cards are prepared when an article goes live: a list reads only their HTML.
CARD = "live_card_html"
PLAIN_CARD = "live_card_plain_html"
Kind = Listing.Kind


class CappedPaginator(Paginator):
    """A paginator told how many items there are, counted up to `cap` by
    whoever found them, so no page counts every match."""

    def __init__(self, *args, count: int, cap: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.cap = cap
        self.count = min(count, cap)  # instead of Paginator.count, cached

    @property
    def capped(self) -> bool:
        return self.count >= self.cap


class ListPage:
    """A page of a list that is never counted: one more row than fits is
    read, to know whether there is a next page. ("Page 3", not "of 4,217".)"""

    paginator = None

    def __init__(self, rows, number: int):
        start = (number - 1) * PAGE_SIZE
        found = cards(rows[start : start + PAGE_SIZE + 1])
        self.number = number
        self.cards = found[:PAGE_SIZE]
        self.has_previous = number > 1
        self.has_next = len(found) > PAGE_SIZE
        self.has_other_pages = self.has_previous or self.has_next
        self.previous_page_number = number - 1
        self.next_page_number = number + 1


def listed(kind: str, key: int = 0, card: str = CARD):
    """Live articles listed under `kind`/`key`, newest first: (id, card HTML) rows.

    One range of the listing index: the cost does not grow with the library.
    """
    return (
        Listing.objects.filter(kind=kind, key=key)
        .order_by("-sort_at", "-article_id")
        .values_list("article_id", f"article__{card}")
    )


class Card:
    """A prepared card, as lists write it out: no model instance is built."""

    __slots__ = ("pk", "live_card_html", "live_card_plain_html")

    def __init__(self, pk: int, html: str):
        self.pk = pk
        self.live_card_html = self.live_card_plain_html = html


def cards(rows) -> list[Card]:
    return [Card(pk, html) for pk, html in rows]


def joined(items) -> str:
    """Prepared cards written out as one string: home's lists cost the same
    however many cards they hold (no template loop per card)."""
    return mark_safe("".join(card.live_card_html for card in items))


def topic_links() -> str:
    """The links to the topics with live articles, by name, as list items: one
    reverse() for all of them, as home lists every topic."""
    prefix = reverse("articles:topic", args=["slug"]).removesuffix("slug/")
    topics = Topic.objects.filter(
        Exists(Listing.objects.filter(kind=Kind.TOPIC, key=OuterRef("pk")))
    ).order_by("name")
    return format_html_join(
        "",
        '<li><a href="{}{}/">{}</a></li>',
        ((prefix, slug, name) for name, slug in topics.values_list("name", "slug")),
    )


def _page(request, rows, page_class=ListPage) -> ListPage:
    number = request.GET.get("page", "1")
    if not number.isdigit() or not 1 <= int(number) <= 10_000:
        raise Http404("No such page.")
    page = page_class(rows, int(number))
    if not page.cards and page.number > 1:
        raise Http404("No such page.")
    return page


def tagged(view, tags: list[str]):
    """A view from elsewhere (feeds, sitemaps), made cacheable under `tags`."""

    @require_safe
    def cacheable(request, *args, **kwargs):
        return page_cache.mark(view(request, *args, **kwargs), tags)

    return cacheable


@require_safe
def home(request):
    latest = cards(listed(Kind.LATEST)[:PAGE_SIZE])
    shown = {article.pk for article in latest[:3]}
    reviewed = [
        a
        for a in cards(listed(Kind.REVIEWED, card=PLAIN_CARD)[:8])
        if a.pk not in shown
    ][:5]
    response = render(
        request,
        "articles/home.html",
        {
            "articles": joined(latest),
            "reviewed": joined(reviewed),
            "topics": topic_links(),
            "json_ld": mark_safe(site_structured_data()),
        },
    )
    return page_cache.mark(response, ["home"])


def article_etag(article: Article) -> str:
    """Strong ETag: the live revision, when it went live, and the page's version
    (which moves when a related article changes). Edits to the working copy
    change nothing readers see, so they leave it alone."""
    return f'"{article.live_etag}.{article.page_version}"'


# The article page's two reads, as fixed SQL: everything in them was prepared
# when the article went live, so a request only fetches it (building the same
# queries with the ORM took as long as running them).
ARTICLE_SQL = """
    SELECT id, slug, live_card, live_head_html, live_html, live_etag, page_version
    FROM articles_article
    WHERE slug = %s AND live_revision_id IS NOT NULL
"""
ETAG_SQL = """
    SELECT id, live_etag, page_version FROM articles_article
    WHERE slug = %s AND live_revision_id IS NOT NULL
"""
RELATED_SQL = """
    SELECT a.id, a.live_card_plain_html FROM articles_listing l
    JOIN articles_article a ON a.id = l.article_id
    WHERE l.kind = 'related' AND l.key = %s
    ORDER BY l.sort_at DESC, l.article_id DESC
    LIMIT 4
"""
LIVE_CARD = Article._meta.get_field("live_card")


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _article(row: tuple) -> Article:
    pk, slug, card, head, body, etag, version = row
    return Article(
        pk=pk,
        slug=slug,
        live_card=LIVE_CARD.from_db_value(card, None, connection),
        live_head_html=head,
        live_html=body,
        live_etag=etag,
        page_version=version,
    )


def _related(pk: int) -> list[Article]:
    return [
        Article(pk=other, live_card_plain_html=card)
        for other, card in _fetch(RELATED_SQL, [pk])
    ]


def _withdrawn(request, slug):
    withdrawn = (
        Article.objects.filter(slug=slug, withdrawn_at__isnull=False)
        .select_related("withdrawn_revision", "replaced_by")
        .only(
            "withdrawn_at",
            "withdrawal_reason",
            "withdrawn_revision__title",
            "replaced_by__slug",
            "replaced_by__live_revision",
        )
        .first()
    )
    if withdrawn is None:
        response = render(request, "404.html", status=404)
        # Any publication purges "home", and so this answer too.
        return page_cache.mark(response, ["home"], s_maxage=60)
    tags = [f"article-{withdrawn.pk}"]
    if (replacement := withdrawn.replaced_by) is not None:
        # Its going live or being withdrawn purges this answer too.
        tags.append(f"article-{replacement.pk}")
        if replacement.is_live:
            redirect = HttpResponsePermanentRedirect(replacement.get_absolute_url())
            return page_cache.mark(redirect, tags)
    # The title readers knew, from the revision that was live; the working
    # copy's title may have been edited since.
    response = render(
        request,
        "articles/article_withdrawn.html",
        {"article": withdrawn, "revision": withdrawn.withdrawn_revision},
        status=410,
    )
    return page_cache.mark(response, tags)


@require_safe
def article_detail(request, slug):
    if request.META.get("HTTP_IF_NONE_MATCH"):
        # The revalidation path reads only what the ETag is made of.
        for pk, base, version in _fetch(ETAG_SQL, [slug]):
            etag = f'"{base}.{version}"'
            not_modified = get_conditional_response(request, etag=etag)
            if not_modified is not None:
                not_modified["ETag"] = etag
                return page_cache.mark(not_modified, [f"article-{pk}"])
    rows = _fetch(ARTICLE_SQL, [slug])
    if not rows:
        return _withdrawn(request, slug)
    article = _article(rows[0])
    related = _related(article.pk)
    response = render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "related": related,
            "canonical_url": absolute(article.get_absolute_url()),
            "feedback_fields": blank_report_fields(),
        },
    )
    response["ETag"] = article_etag(article)
    tags = [f"article-{article.pk}", *(f"article-{a.pk}" for a in related)]
    return page_cache.mark(response, tags)


@require_safe
def topic_detail(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    page = _page(request, listed(Kind.TOPIC, topic.pk))
    response = render(
        request,
        "articles/topic_detail.html",
        {
            "topic": topic,
            "page": page,
            "json_ld": mark_safe(topic_structured_data(topic)),
        },
    )
    return page_cache.mark(response, [f"topic-{topic.pk}"])


@require_safe
def contributor_detail(request, slug):
    contributor = get_object_or_404(Contributor, slug=slug)
    page = _page(request, contributor.pk, ContributorPage)
    response = render(
        request,
        "articles/contributor_detail.html",
        {
            "contributor": contributor,
            "page": page,
            "json_ld": mark_safe(contributor_structured_data(contributor)),
        },
    )
    return page_cache.mark(response, [f"contributor-{contributor.pk}"])


@require_safe
def editorial_policy(request):
    topics = Topic.objects.order_by("name")
    return page_cache.mark(
        render(
            request,
            "articles/editorial_policy.html",
            {
                "topics": topics,
                "default_interval_years": settings.HEALTH_SITE[
                    "DEFAULT_REVIEW_INTERVAL_MONTHS"
                ]
                // 12,
                "citation_style": dict(
                    ama="AMA Manual of Style, 11th edition",
                    vancouver="Vancouver (ICMJE/NLM Citing Medicine)",
                ).get(settings.HEALTH_SITE["CITATION_STYLE"], "AMA"),
                "feedback_retention_months": round(
                    reader_reports.setting("RETENTION_DAYS") / 30.44
                ),
            },
        ),
        ["home"],
    )


def page_hint(raw: str | None) -> int:
    """The page number asked for, if it is a plausible one (the paginator
    judges it)."""
    try:
        return min(max(int(raw or 1), 1), 1000)
    except ValueError:
        return 1


@require_safe
def search(request):
    """Search results: for the reader's query, or for its correction when it
    found nothing. Kept by shared caches like any public page; what readers
    did not find is counted by the page's beacon and result links
    (articles/public/search_counts.py), so a cached page still counts."""
    raw = request.GET.get("q", "")
    q = article_search.clean_query(raw)
    page = found = None
    if q:
        found = article_search.find(q, page_hint(request.GET.get("page")))
        paginator = CappedPaginator(
            found.results,
            article_search.PAGE_SIZE,
            count=found.count,
            cap=article_search.CANDIDATES + 1,
        )
        page = paginator.get_page(request.GET.get("page"))
        for article in page.object_list:
            article.snippet_html = article_search.highlight(
                getattr(article, "snippet", "")
            )
    response = render(
        request,
        "articles/search.html",
        {
            "q": q,
            "shortened": article_search.was_shortened(raw),
            "max_length": article_search.MAX_QUERY_LENGTH,
            "page": page,
            "found": found,
            "highlighted": article_search.is_postgresql(),
        },
    )
    response["X-Robots-Tag"] = "noindex"
    page_cache.keep_only_if_asked_again(request, response)
    return page_cache.mark(response, ["search"], s_maxage=300)


@require_safe
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /preview/",
        "Disallow: /search/",
        f"Sitemap: {absolute(reverse('sitemap'))}",
    ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
    return page_cache.mark(response, ["robots"])


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
