from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from articles.models import Article


class LatestArticlesFeed(Feed):
    """RSS feed of live articles, newest first."""

    title = settings.HEALTH_SITE["NAME"]
    link = reverse_lazy("articles:home")
    description = "Medically reviewed health articles."

    def items(self):
        return (
            Article.objects.live()
            .select_related("live_revision")
            .prefetch_related("authors")
            .order_by("-last_published_at")[:30]
        )

    def item_title(self, item):
        return item.live_revision.title

    def item_description(self, item):
        return item.live_revision.summary

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def item_author_name(self, item):
        return ", ".join(a.byline for a in item.authors.all())


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description
