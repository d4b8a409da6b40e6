"""Public pages. Every query goes through `Article.objects.live()`."""

from django.conf import settings
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.http import require_GET

from articles.absolute_urls import absolute, absolute_media
from articles.models import Article, Contributor, PreviewLink, Topic
from articles.public import search as article_search
from articles.public.structured_data import structured_data

PAGE_SIZE = 10
PUBLIC_MAX_AGE = 300


def _cacheable(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response


def _cards(queryset):
    """Live articles with what a card shows (all from the live revision)."""
    return queryset.select_related("live_revision")


@require_GET
def home(request):
    live = Article.objects.live()
    latest = list(_cards(live).order_by("-last_published_at")[:PAGE_SIZE])
    reviewed = list(
        live.select_related("live_revision")
        .exclude(pk__in=[a.pk for a in latest[:3]])
        .order_by("-last_reviewed", "-last_published_at")[:5]
    )
    topics = Topic.objects.filter(pk__in=live.values("live_revision__topics")).order_by(
        "name"
    )
    return _cacheable(
        render(
            request,
            "articles/home.html",
            {"articles": latest, "reviewed": reviewed, "topics": topics},
        )
    )


def article_etag(article: Article) -> str:
    """Strong ETag from the live revision and when it went live.

    Edits to the working copy change nothing readers see, so they leave it.
    """
    published = int(article.last_published_at.timestamp() * 1_000_000)
    return f'"{article.live_revision.content_hash[:32]}-{published}"'


@require_GET
def article_detail(request, slug):
    article = (
        Article.objects.live()
        .select_related("live_revision", "live_approval__reviewer__contributor")
        .filter(slug=slug)
        .first()
    )
    if article is None:
        withdrawn = (
            Article.objects.filter(slug=slug, withdrawn_at__isnull=False)
            .select_related("withdrawn_revision")
            .only(
                "withdrawn_at",
                "withdrawal_reason",
                "withdrawn_revision__title",
            )
            .first()
        )
        if withdrawn is not None:
            # The title readers knew, from the revision that was live; the
            # working copy's title may have been edited since.
            return render(
                request,
                "articles/article_withdrawn.html",
                {"article": withdrawn, "revision": withdrawn.withdrawn_revision},
                status=410,
            )
        raise Http404("No live article here.")
    etag = article_etag(article)
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return _cacheable(not_modified)
    revision, review = article.live_revision, article.live_approval
    topic_ids = [topic["id"] for topic in revision.topic_list]
    related = list(
        Article.objects.live()
        .filter(live_revision__topics__in=topic_ids)
        .exclude(pk=article.pk)
        .select_related("live_revision")
        .distinct()
        .order_by("-last_published_at")[:4]
        if topic_ids
        else []
    )
    response = render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "revision": revision,
            "review": review,
            "related": related,
            "canonical_url": absolute(article.get_absolute_url()),
            "social_image_url": absolute_media(revision.social_image)
            if revision.social_image
            else "",
            "json_ld": structured_data(article, revision, review, request),
        },
    )
    response["ETag"] = etag
    return _cacheable(response)


def _paginated_live(request, queryset):
    articles = _cards(queryset).order_by("-last_published_at")
    return Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))


@require_GET
def topic_detail(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    page = _paginated_live(
        request, Article.objects.live().filter(live_revision__topics=topic)
    )
    return _cacheable(
        render(request, "articles/topic_detail.html", {"topic": topic, "page": page})
    )


@require_GET
def contributor_detail(request, slug):
    contributor = get_object_or_404(Contributor, slug=slug)
    wrote = Article.objects.live().filter(live_revision__authors=contributor)
    if contributor.user_id:
        reviewed = Article.objects.live().filter(
            live_approval__reviewer=contributor.user_id
        )
        wrote = wrote | reviewed
    page = _paginated_live(request, wrote.distinct())
    return _cacheable(
        render(
            request,
            "articles/contributor_detail.html",
            {"contributor": contributor, "page": page},
        )
    )


@require_GET
def editorial_policy(request):
    topics = Topic.objects.order_by("name")
    return _cacheable(
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
        )
    )


@require_GET
def search(request):
    q = article_search.clean_query(request.GET.get("q", ""))
    page = None
    if q:
        results = article_search.search(
            Article.objects.live().select_related("live_revision"), q
        )
        page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
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
    return _cacheable(response)


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /preview/",
        "Disallow: /search/",
        f"Sitemap: {absolute(reverse('sitemap'))}",
    ]
    return _cacheable(HttpResponse("\n".join(lines) + "\n", content_type="text/plain"))


def _no_store(response):
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
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
