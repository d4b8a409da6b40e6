"""The site's corrections, newest first: a page and an Atom feed.

Each row is a `Correction` (written when a correction goes live) of a live
article, named by the title readers see now; one query a page, read from the
corrections' date index. Every publication and withdrawal purges both
(articles/delivery/page_cache.py).
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_safe

from articles.absolute_urls import absolute
from articles.delivery import page_cache
from articles.models import Correction

PAGE_SIZE = 30
FEED_LENGTH = 30
MAX_PAGE = 10_000


def listed():
    """The public corrections as (id, note, date, slug, live title) rows."""
    return Correction.objects.public().values_list(
        "pk",
        "note",
        "published_at",
        "article__slug",
        "article__live_revision__title",
    )


class CorrectionPage:
    """One page of the list, never counted: one more row than fits is read."""

    paginator = None

    def __init__(self, number: int):
        start = (number - 1) * PAGE_SIZE
        rows = [
            {
                "note": note,
                "date": date,
                "url": reverse("articles:detail", args=[slug]),
                "title": title,
                "id": pk,
            }
            for pk, note, date, slug, title in listed()[start : start + PAGE_SIZE + 1]
        ]
        self.number = number
        self.corrections = rows[:PAGE_SIZE]
        self.has_previous = number > 1
        self.has_next = len(rows) > PAGE_SIZE
        self.has_other_pages = self.has_previous or self.has_next
        self.previous_page_number = number - 1
        self.next_page_number = number + 1


@require_safe
def corrections(request):
    number = request.GET.get("page", "1")
    if not number.isdigit() or not 1 <= int(number) <= MAX_PAGE:
        raise Http404("No such page.")
    page = CorrectionPage(int(number))
    if not page.corrections and page.number > 1:
        raise Http404("No such page.")
    response = render(request, "articles/corrections.html", {"page": page})
    return page_cache.mark(response, ["corrections"])


class CorrectionsFeed(Feed):
    """Atom feed of the corrections of live articles, newest first; each
    entry is the reviewed note, as plain text."""

    feed_type = Atom1Feed
    title = f"{settings.HEALTH_SITE['NAME']}: corrections"
    subtitle = "Corrections to our medically reviewed articles."

    def link(self):
        return absolute(reverse("articles:corrections"))

    def feed_url(self):
        return absolute(reverse("articles:corrections_feed"))

    def items(self):
        return list(listed()[:FEED_LENGTH])

    def item_title(self, item):
        return f"Correction: {item[4]}"

    def item_description(self, item):
        return item[1]

    def item_link(self, item):
        return absolute(reverse("articles:detail", args=[item[3]])) + "#corrections"

    def item_guid(self, item):
        return absolute(f"{reverse('articles:corrections')}#correction-{item[0]}")

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item[2]

    def item_updateddate(self, item):
        return item[2]
