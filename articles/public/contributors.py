"""A contributor's page lists the articles they wrote and those they
medically reviewed apart: two ranges of the listing index, read in one query.

Publishing lists each author under `latest` and the reviewer under
`reviewed`, keyed by the contributor (articles/delivery/prepared.py).
"""

from django.db import connection

from articles.models import Article, Listing

PAGE_SIZE = 10  # as on every list page (views.PAGE_SIZE)
WRITTEN, REVIEWED = Listing.Kind.LATEST.value, Listing.Kind.REVIEWED.value
ONE_LIST = """
    SELECT * FROM (
        SELECT l.kind, l.sort_at, a.id, a.live_card_html FROM articles_listing l
        JOIN articles_article a ON a.id = l.article_id
        WHERE l.kind = '{kind}' AND l.key = %s
        ORDER BY l.sort_at DESC, l.article_id DESC
        LIMIT %s OFFSET %s
    ) AS {kind}_list
"""
BOTH_LISTS = " UNION ALL ".join(ONE_LIST.format(kind=k) for k in (WRITTEN, REVIEWED))


class ContributorPage:
    """One page of both lists: `?page=N` turns them together, and there is a
    next page while either list has more. Never counted, like every list."""

    paginator = None

    def __init__(self, contributor_pk: int, number: int):
        start = (number - 1) * PAGE_SIZE
        with connection.cursor() as cursor:
            cursor.execute(BOTH_LISTS, [contributor_pk, PAGE_SIZE + 1, start] * 2)
            rows = cursor.fetchall()
        found = {WRITTEN: [], REVIEWED: []}
        # Newest first within each list (the union keeps no order of its own).
        for kind, _, pk, card in sorted(rows, key=lambda r: r[1:3], reverse=True):
            found[kind].append(Article(pk=pk, live_card_html=card))
        self.written = found[WRITTEN][:PAGE_SIZE]
        self.reviewed = found[REVIEWED][:PAGE_SIZE]
        self.cards = self.written + self.reviewed
        self.number = number
        self.has_previous = number > 1
        self.has_next = any(len(listed) > PAGE_SIZE for listed in found.values())
        self.has_other_pages = self.has_previous or self.has_next
        self.previous_page_number = number - 1
        self.next_page_number = number + 1
