"""RSS and Atom feeds of live articles: the full text, sanitized, with every
link absolute so that it works in a feed reader, and the topics as categories."""

import nh3
from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from articles.absolute_urls import absolute, base_url
from articles.models import Listing

FEED_LENGTH = 30
# What a feed entry may hold: ammonia's defaults (text, lists, tables,
# figures, headings), and the responsive image attributes our pages write.
FEED_TAGS = set(nh3.ALLOWED_TAGS) | {"section"}
FEED_ATTRIBUTES = {
    **nh3.ALLOWED_ATTRIBUTES,
    "img": nh3.ALLOWED_ATTRIBUTES["img"] | {"srcset", "sizes", "loading"},
}
LINKED = {("a", "href"), ("img", "src"), ("img", "srcset")}


def absolute_url(url: str, page_url: str) -> str:
    """`url` as written on the page at `page_url`, made absolute."""
    if url.startswith("#"):
        return page_url + url
    if url.startswith("/") and not url.startswith("//"):
        return base_url() + url
    return url


def feed_html(html: str, page_url: str) -> str:
    """The page's HTML for a feed entry: sanitized again (an entry is read
    outside our pages), with relative links and image sources made absolute."""

    def absolute_links(tag: str, attribute: str, value: str) -> str:
        if (tag, attribute) not in LINKED:
            return value
        if attribute == "srcset":
            return ", ".join(
                " ".join([absolute_url(url, page_url), *size])
                for url, *size in (c.split() for c in value.split(",") if c.strip())
            )
        return absolute_url(value, page_url)

    return nh3.clean(
        html,
        tags=FEED_TAGS,
        attributes=FEED_ATTRIBUTES,
        attribute_filter=absolute_links,
        url_schemes={"https", "http", "mailto"},
    )


class ContentRssFeed(Rss201rev2Feed):
    """RSS 2.0 with each item's full text in `content:encoded`."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content_html"])


class ContentAtomFeed(Atom1Feed):
    """Atom with each entry's full text as HTML `content`."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content_html"], {"type": "html"})


class LatestArticlesFeed(Feed):
    """RSS feed of live articles, newest first.

    Every link is absolute from the site's base URL (Django would otherwise
    take the domain from the request's Host header).
    """

    feed_type = ContentRssFeed
    title = settings.HEALTH_SITE["NAME"]
    description = "Medically reviewed health articles."
    url_name = "articles:feed"

    def link(self):
        return absolute(reverse("articles:home"))

    def feed_url(self):
        return absolute(reverse(self.url_name))

    def item_link(self, item):
        return absolute(item.get_absolute_url())

    def items(self):
        return [
            row.article
            for row in Listing.objects.filter(kind=Listing.Kind.LATEST, key=0)
            .select_related("article__live_revision")
            .only(
                "article__slug",
                "article__first_published_at",
                "article__last_published_at",
                "article__live_revision__title",
                "article__live_revision__summary",
                "article__live_revision__bylines",
                "article__live_revision__topic_list",
                "article__live_revision__body_html",
                "article__live_revision__references_html",
            )
            .order_by("-sort_at", "-article_id")[:FEED_LENGTH]
        ]

    def item_title(self, item):
        return item.live_revision.title

    def item_description(self, item):
        return item.live_revision.summary

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def item_author_name(self, item):
        return "; ".join(a["label"] for a in item.live_revision.authors_shown)

    def item_categories(self, item):
        return [topic["name"] for topic in item.live_revision.topic_list]

    def item_extra_kwargs(self, item):
        revision = item.live_revision
        return {
            "content_html": feed_html(
                revision.body_html + revision.references_html,
                self.item_link(item),
            )
        }


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = ContentAtomFeed
    url_name = "articles:feed_atom"
    subtitle = LatestArticlesFeed.description
