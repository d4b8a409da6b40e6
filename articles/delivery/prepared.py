"""What a live article's public pages need, prepared when it goes live.

When an article goes live this writes its listings (the latest articles, the
recently reviewed, its topics, its authors and reviewer, its related
articles), its card, the HTML of the article and of its <head> additions
(JSON-LD included, and the reader's notices about its cited sources:
delivery/evidence.py) and the base of its ETag; when it is
withdrawn, it removes them. Public pages then only read. Both return a
`PageChange`: which pages now show something different, for the purges.
"""

import datetime
import html
import re
from itertools import batched

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from articles.absolute_urls import absolute, absolute_media, base_url
from articles.delivery import evidence, page_cache
from articles.delivery.changes import PageChange
from articles.delivery.structured_data import structured_data
from articles.models import Article, Contributor, Listing, Topic

Kind = Listing.Kind
RELATED_COUNT = 4
# The shape of what prepare_live_page() stores. Raise it when that changes:
# `migrate` then prepares every live article again (prepare_unprepared_pages).
PAGE_FORMAT = 4
# Pages prepared again in one transaction, and purged together.
PREPARE_BATCH = 100
FIRST_IMAGE = re.compile(r"<img\s[^>]*>")
IMAGE_SOURCE = re.compile(r'\ssrc="([^"]+)"')
IMAGE_ALT = re.compile(r'\salt="([^"]*)"')


def _listed_under(article: Article) -> tuple[set[int], set[int]]:
    """The topics and contributors the article is listed under now."""
    rows = Listing.objects.filter(
        article=article, kind__in=[Kind.TOPIC, Kind.CONTRIBUTOR]
    ).values_list("kind", "key")
    topics = {key for kind, key in rows if kind == Kind.TOPIC}
    contributors = {key for kind, key in rows if kind == Kind.CONTRIBUTOR}
    return topics, contributors


def _listing_it(article: Article) -> set[int]:
    """The articles whose related list shows this one, and so its card."""
    return set(
        Listing.objects.filter(kind=Kind.RELATED, article=article).values_list(
            "key", flat=True
        )
    )


def _bump(article_ids: set[int]) -> None:
    """Their pages change without a publication: a new ETag for each."""
    if article_ids:
        Article.objects.filter(pk__in=article_ids).update(
            page_version=F("page_version") + 1
        )


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)


def own_image(revision) -> tuple[str, str]:
    """The article's own image as an absolute URL, with its alt text: the
    social image, else the first image in the body; ("", "") if it has none."""
    if revision.social_image:
        return absolute_media(revision.social_image), revision.social_image_alt
    tag = FIRST_IMAGE.search(revision.body_html)
    source = tag and IMAGE_SOURCE.search(tag[0])
    if not source:
        return "", ""
    url = html.unescape(source[1])
    if url.startswith("/") and not url.startswith("//"):
        url = absolute(url)
    alt = IMAGE_ALT.search(tag[0])
    return url, html.unescape(alt[1]) if alt else ""


def prepare_live_page(article: Article) -> PageChange:
    """List the article that just went live and prepare what its page shows.

    The caller holds the article's row lock, inside the publish transaction.
    """
    revision, approval = article.live_revision, article.live_approval
    old_topics, old_contributors = _listed_under(article)
    Listing.objects.filter(article=article).exclude(kind=Kind.RELATED).delete()
    Listing.objects.filter(kind=Kind.RELATED, key=article.pk).delete()

    topics = set(revision.topics.values_list("pk", flat=True))
    authors = set(revision.authors.values_list("pk", flat=True))
    contributors = set(authors)
    reviewer = (
        Contributor.objects.filter(user_id=approval.reviewer_id)
        .values_list("pk", "slug")
        .first()
    )
    if reviewer:
        contributors.add(reviewer[0])

    published = article.last_published_at
    rows = [Listing(kind=Kind.LATEST, article=article, sort_at=published)]
    if article.last_reviewed:
        rows.append(
            Listing(
                kind=Kind.REVIEWED,
                article=article,
                sort_at=_midnight(article.last_reviewed),
            )
        )
    rows += [
        Listing(kind=Kind.TOPIC, key=t, article=article, sort_at=published)
        for t in topics
    ]
    rows += [
        Listing(kind=Kind.CONTRIBUTOR, key=c, article=article, sort_at=published)
        for c in contributors
    ]
    # A contributor's page lists what they wrote and what they reviewed apart:
    # the site-wide kinds, keyed by the contributor (key 0 is the site's).
    rows += [
        Listing(kind=Kind.LATEST, key=a, article=article, sort_at=published)
        for a in authors
    ]
    if reviewer:
        rows.append(
            Listing(
                kind=Kind.REVIEWED,
                key=reviewer[0],
                article=article,
                sort_at=approval.created_at,
            )
        )
    # Related: the newest live articles sharing a topic, chosen now and kept
    # until this article is published again.
    related: dict[int, datetime.datetime] = {}
    candidates = (
        Listing.objects.filter(kind=Kind.TOPIC, key__in=topics)
        .exclude(article=article)
        .order_by("-sort_at")
        .values_list("article_id", "sort_at")[: RELATED_COUNT * 8]
    )
    for other, sort_at in candidates:
        related.setdefault(other, sort_at)
        if len(related) == RELATED_COUNT:
            break
    rows += [
        Listing(kind=Kind.RELATED, key=article.pk, article_id=other, sort_at=sort_at)
        for other, sort_at in related.items()
    ]
    Listing.objects.bulk_create(rows)

    reviewer_url = f"/contributors/{reviewer[1]}/" if reviewer else ""
    image, image_alt = own_image(revision)
    article.live_card = {
        "format": PAGE_FORMAT,
        # The JSON-LD and the social image hold absolute URLs. They are
        # written out here, not made absolute at each request, so a page
        # stays 2 queries (a cached one none) with no rewriting; and the page
        # cache's copies, canonical link included, must be purged when the
        # base URL changes either way. So the base URL is kept, and a site
        # served from another one prepares its pages again, and purges them
        # (prepare_unprepared_pages, after every migrate).
        "base_url": base_url(),
        "title": revision.title,
        "summary": revision.summary,
        "topics": [{"name": t["name"], "slug": t["slug"]} for t in revision.topic_list],
        "reviewer_url": reviewer_url,
        # The revision readers see, named in the feedback form's reports.
        "hash": revision.content_hash,
        "head": {
            "title": revision.display_title,
            "description": revision.meta_description or revision.summary,
            "image": image,
            "image_alt": image_alt,
        },
    }
    article.live_card_html, article.live_card_plain_html = (
        render_to_string(
            "articles/includes/article_card.html",
            {"article": article, "show_topics": show_topics},
        )
        for show_topics in (True, False)
    )
    _render_page(article, revision, approval, image)
    article.live_etag = f"{revision.content_hash[:24]}-{int(published.timestamp())}"
    Article.objects.filter(pk=article.pk).update(
        live_card=article.live_card,
        live_card_html=article.live_card_html,
        live_card_plain_html=article.live_card_plain_html,
        live_head_html=article.live_head_html,
        live_html=article.live_html,
        live_etag=article.live_etag,
        page_version=F("page_version") + 1,
    )
    shown_on = _listing_it(article)
    _bump(shown_on)
    return PageChange(
        article_ids={article.pk} | shown_on,
        topic_ids=old_topics | topics,
        contributor_ids=old_contributors | contributors,
    )


def _render_page(article: Article, revision, approval, image: str) -> None:
    """Render the article's main HTML and <head> additions (JSON-LD included)
    with the reader's notices of the evidence state now; the caller stores
    them."""
    notices = evidence.page_notices(revision)
    article.live_card["evidence"] = notices
    shown = evidence.for_template(notices, article.last_reviewed)
    context = {
        "article": article,
        "revision": revision,
        "review": approval,
        "social_image_url": image,
        "json_ld": mark_safe(
            structured_data(
                article,
                revision,
                approval,
                article.live_card["reviewer_url"],
                image,
                notices=shown,
            )
        ),
        "health_site": settings.HEALTH_SITE,
        "evidence_notices": shown,
    }
    article.live_head_html = render_to_string(
        "articles/includes/article_head.html", context
    )
    article.live_html = render_to_string("articles/includes/article_main.html", context)


def refresh_live_page(article: Article) -> PageChange:
    """Render a live article's page again as it stands, with the evidence
    state and review dates now, leaving its listings and card alone. The
    caller holds the row lock and purges the change once it commits."""
    if not article.live_card.get("format"):
        return prepare_live_page(article)
    revision, approval = article.live_revision, article.live_approval
    _render_page(article, revision, approval, article.live_card["head"]["image"])
    Article.objects.filter(pk=article.pk).update(
        live_card=article.live_card,
        live_head_html=article.live_head_html,
        live_html=article.live_html,
        page_version=F("page_version") + 1,
    )
    return PageChange(article_ids={article.pk})


def refresh_evidence_notices(article_ids, force: bool = False) -> int:
    """Render again the live pages among `article_ids` whose reader notices
    no longer match the evidence state (all of them with `force`), one
    transaction each, purged once it commits; returns how many changed."""
    changed = 0
    for pk in sorted(set(article_ids)):
        with transaction.atomic():
            article = (
                Article.objects.live()
                .select_for_update(of=("self",))
                .select_related("live_revision", "live_approval")
                .filter(pk=pk)
                .first()
            )
            if article is None:
                continue
            notices = evidence.page_notices(article.live_revision)
            if not force and notices == article.live_card.get("evidence", []):
                continue
            page_cache.purge(refresh_live_page(article))
            changed += 1
    return changed


def clear_live_page(article: Article) -> PageChange:
    """Remove a withdrawn article from every list and from related articles."""
    topics, contributors = _listed_under(article)
    shown_on = _listing_it(article)
    Listing.objects.filter(article=article).delete()
    Listing.objects.filter(kind=Kind.RELATED, key=article.pk).delete()
    Article.objects.filter(pk=article.pk).update(
        live_card={},
        live_card_html="",
        live_card_plain_html="",
        live_head_html="",
        live_html="",
        live_etag="",
        page_version=F("page_version") + 1,
    )
    _bump(shown_on)
    return PageChange(
        article_ids={article.pk} | shown_on,
        topic_ids=topics,
        contributor_ids=contributors,
    )


def _unprepared() -> Q:
    """Live articles with no prepared page, one of an older PAGE_FORMAT, or
    one naming another base URL than the site's."""
    return (
        Q(live_etag="")
        | Q(live_card__format__isnull=True)
        | Q(live_card__format__lt=PAGE_FORMAT)
        | _for_another_base_url()
    )


def _for_another_base_url() -> Q:
    """Live articles whose page names another base URL, or none."""
    return Q(live_card__base_url__isnull=True) | ~Q(live_card__base_url=base_url())


def prepare_unprepared_pages(using: str = "default") -> int:
    """Prepare the live articles that have no prepared page yet, or one of an
    older PAGE_FORMAT or another base URL; returns how many.

    Each batch is re-read under its row locks, so a publication or a
    withdrawal meanwhile is never undone, and purged once it commits.
    """
    articles = Article.objects.using(using).live()
    moved = articles.filter(_for_another_base_url()).exists()
    pks = articles.filter(_unprepared()).order_by("last_published_at", "pk")
    count = 0
    for batch in batched(pks.values_list("pk", flat=True), PREPARE_BATCH):
        change = PageChange()
        with transaction.atomic(using=using):
            for article in (
                articles.filter(_unprepared(), pk__in=batch)
                .select_for_update()
                .order_by("pk")
            ):
                change |= prepare_live_page(article)
                count += 1
            if change.article_ids:
                page_cache.purge(change)
    if moved:
        # Every topic and contributor page names the base URL too, listing
        # live articles or not.
        page_cache.purge(
            PageChange(
                topic_ids=set(Topic.objects.using(using).values_list("pk", flat=True)),
                contributor_ids=set(
                    Contributor.objects.using(using).values_list("pk", flat=True)
                ),
            )
        )
    return count
