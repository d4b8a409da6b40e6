from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from articles.absolute_urls import absolute
from articles.models import Listing


class LatestArticlesFeed(Feed):
    """RSS feed of live articles, newest first.

    Every link is absolute from the site's base URL (Django would otherwise
    take the domain from the request's Host header).
    """

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
            for row in Listing.objects.filter(kind=Listing.Kind.LATEST)
            .select_related("article__live_revision")
            .only(
                "article__slug",
                "article__first_published_at",
                "article__last_published_at",
                "article__live_revision__title",
                "article__live_revision__summary",
                "article__live_revision__bylines",
            )
            .order_by("-sort_at", "-article_id")[:30]
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


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    url_name = "articles:feed_atom"
    subtitle = LatestArticlesFeed.description
