from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef
from django.urls import reverse

from articles.absolute_urls import base_url
from articles.models import Article, Listing, Topic


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


class TopicSitemap(SiteSitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Topic.objects.filter(
            Exists(Listing.objects.filter(kind=Listing.Kind.TOPIC, key=OuterRef("pk")))
        ).order_by("pk")


class StaticSitemap(SiteSitemap):
    priority = 0.4

    def items(self):
        return ["articles:home", "articles:editorial_policy"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {"articles": ArticleSitemap, "topics": TopicSitemap, "pages": StaticSitemap}
