"""Public pages. Every query goes through `Article.objects.live()`."""

from django.conf import settings
from django.core import signing
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.functional import cached_property
from django.views.decorators.http import require_safe

from articles import page_cache
from articles.absolute_urls import absolute
from articles.models import Article, Contributor, Listing, PreviewLink, Topic
from articles.public import search as article_search

PAGE_SIZE = 10
# A list never counts past this; beyond it the page says "of 50 or more".
COUNT_CAP = PAGE_SIZE * 50
CARD_FIELDS = ("article__slug", "article__live_card", "article__last_reviewed")
Kind = Listing.Kind


class CappedPaginator(Paginator):
    """Counts at most `cap` items, so no page counts every live article."""

    def __init__(self, *args, cap: int = COUNT_CAP, counted=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cap = cap
        # What to count, if not the list itself (which may be costly to select).
        self.counted = self.object_list if counted is None else counted

    @cached_property
    def count(self) -> int:
        return self.counted.values("pk")[: self.cap].count()

    @property
    def capped(self) -> bool:
        return self.count >= self.cap


def listed(kind: str, key: int = 0):
    """Live articles listed under `kind`/`key`, newest first, as card rows.

    One range of the listing index: the cost does not grow with the library.
    """
    return (
        Listing.objects.filter(kind=kind, key=key)
        .select_related("article")
        .only("sort_at", *CARD_FIELDS)
        .order_by("-sort_at", "-article_id")
    )


def cards(rows) -> list[Article]:
    return [row.article for row in rows]


def _page(request, rows):
    page = CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.cards = cards(page.object_list)
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
    reviewed = [a for a in cards(listed(Kind.REVIEWED)[:8]) if a.pk not in shown][:5]
    topics = Topic.objects.filter(
        Exists(Listing.objects.filter(kind=Kind.TOPIC, key=OuterRef("pk")))
    ).order_by("name")
    response = render(
        request,
        "articles/home.html",
        {"articles": latest, "reviewed": reviewed, "topics": topics},
    )
    return page_cache.mark(response, ["home"])


def article_etag(article: Article) -> str:
    """Strong ETag: the live revision, when it went live, and the page's version
    (which moves when a related article changes). Edits to the working copy
    change nothing readers see, so they leave it alone."""
    return f'"{article.live_etag}.{article.page_version}"'


# Everything the article page reads: prepared when the article went live.
ARTICLE_PAGE_FIELDS = (
    "slug",
    "live_card",
    "live_head_html",
    "live_html",
    "live_etag",
    "page_version",
)


def _withdrawn(request, slug):
    withdrawn = (
        Article.objects.filter(slug=slug, withdrawn_at__isnull=False)
        .select_related("withdrawn_revision")
        .only("withdrawn_at", "withdrawal_reason", "withdrawn_revision__title")
        .first()
    )
    if withdrawn is None:
        response = render(request, "404.html", status=404)
        # Any publication purges "home", and so this answer too.
        return page_cache.mark(response, ["home"], s_maxage=60)
    # The title readers knew, from the revision that was live; the working
    # copy's title may have been edited since.
    response = render(
        request,
        "articles/article_withdrawn.html",
        {"article": withdrawn, "revision": withdrawn.withdrawn_revision},
        status=410,
    )
    return page_cache.mark(response, [f"article-{withdrawn.pk}"])


@require_safe
def article_detail(request, slug):
    live = Article.objects.live().filter(slug=slug)
    if request.META.get("HTTP_IF_NONE_MATCH"):
        # The revalidation path reads only what the ETag is made of.
        found = live.values_list("pk", "live_etag", "page_version").first()
        if found is not None:
            pk, base, version = found
            etag = f'"{base}.{version}"'
            not_modified = get_conditional_response(request, etag=etag)
            if not_modified is not None:
                not_modified["ETag"] = etag
                return page_cache.mark(not_modified, [f"article-{pk}"])
    article = live.only(*ARTICLE_PAGE_FIELDS).first()
    if article is None:
        return _withdrawn(request, slug)
    related = cards(listed(Kind.RELATED, article.pk)[:4])
    response = render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "related": related,
            "canonical_url": absolute(article.get_absolute_url()),
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
        request, "articles/topic_detail.html", {"topic": topic, "page": page}
    )
    return page_cache.mark(response, [f"topic-{topic.pk}"])


@require_safe
def contributor_detail(request, slug):
    contributor = get_object_or_404(Contributor, slug=slug)
    page = _page(request, listed(Kind.CONTRIBUTOR, contributor.pk))
    response = render(
        request,
        "articles/contributor_detail.html",
        {"contributor": contributor, "page": page},
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
            },
        ),
        ["home"],
    )


@require_safe
def search(request):
    q = article_search.clean_query(request.GET.get("q", ""))
    page = None
    if q:
        live = Article.objects.live().only("slug", "last_reviewed", "live_card")
        page = CappedPaginator(
            article_search.search(live, q),
            PAGE_SIZE,
            cap=article_search.CANDIDATES + 1,
            counted=article_search.newest_matches(Article.objects.live(), q),
        ).get_page(request.GET.get("page"))
        for article in page.object_list:
            article.snippet_html = article_search.highlight(
                getattr(article, "snippet", "")
            )
    response = render(
        request,
        "articles/search.html",
        {
            "q": q,
            "page": page,
            "highlighted": article_search.is_postgresql(),
        },
    )
    response["X-Robots-Tag"] = "noindex"
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


def _no_store(response):
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe
def preview(request, token):
    """Read exactly one revision through a signed, expiring, revocable link."""
    try:
        data = signing.loads(token, salt="articles.preview")
    except signing.BadSignature:
        return _no_store(
            render(
                request,
                "articles/preview_refused.html",
                {"reason": "invalid"},
                status=403,
            )
        )
    link = (
        PreviewLink.objects.select_related("revision__article")
        .filter(pk=data.get("link") if isinstance(data, dict) else None)
        .first()
    )
    if link is None or link.revoked_at or link.is_expired:
        reason = "expired" if link and link.is_expired else "revoked"
        return _no_store(
            render(
                request,
                "articles/preview_refused.html",
                {"reason": reason, "link": link},
                status=410,
            )
        )
    revision = link.revision
    return _no_store(
        render(
            request,
            "articles/article_preview.html",
            {"revision": revision, "article": revision.article, "link": link},
        )
    )


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
