from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from articles.models import Article, Topic


class ArticleSitemap(Sitemap):
    """Live articles only, with lastmod from the live revision."""

    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Article.objects.live().only("slug", "last_published_at").order_by("pk")

    def lastmod(self, item):
        return item.last_published_at


class TopicSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Topic.objects.filter(
            pk__in=Article.objects.live().values("topics")
        ).order_by("pk")


class StaticSitemap(Sitemap):
    priority = 0.4

    def items(self):
        return ["articles:home", "articles:editorial_policy"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {"articles": ArticleSitemap, "topics": TopicSitemap, "pages": StaticSitemap}
