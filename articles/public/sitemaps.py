from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef
from django.urls import reverse

from articles.absolute_urls import base_url
from articles.models import Article, Contributor, Listing, Topic


class SiteSitemap(Sitemap):
    """Locations on the site's base URL, never the request's Host header."""

    def get_protocol(self, protocol=None):
        return urlsplit(base_url()).scheme

    def get_domain(self, site=None):
        return urlsplit(base_url()).netloc


class ArticleSitemap(SiteSitemap):
    """Live articles only, with lastmod from the live revision."""

    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Article.objects.live().only("slug", "last_published_at").order_by("pk")

    def lastmod(self, item):
        return item.last_published_at


def listed_under(kind: str, model) -> list:
    """The topics or contributors a live article is listed under. A list, not
    a queryset: these are few, and the sitemap then needs no count query."""
    listed = Listing.objects.filter(kind=kind, key=OuterRef("pk"))
    return list(model.objects.filter(Exists(listed)).only("slug").order_by("pk"))


class TopicSitemap(SiteSitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return listed_under(Listing.Kind.TOPIC, Topic)


class ContributorSitemap(SiteSitemap):
    """The profiles of everyone who wrote or reviewed a live article."""

    changefreq = "monthly"
    priority = 0.3

    def items(self):
        return listed_under(Listing.Kind.CONTRIBUTOR, Contributor)


class StaticSitemap(SiteSitemap):
    priority = 0.4

    def items(self):
        return ["articles:home", "articles:editorial_policy"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "articles": ArticleSitemap,
    "topics": TopicSitemap,
    "contributors": ContributorSitemap,
    "pages": StaticSitemap,
}
