"""Daily search upkeep (docs/search.md): rebuild the vocabulary misspellings
are corrected against from the live pages and synonyms, and delete the counts
of readers' queries older than articles.models.search.QUERY_COUNT_DAYS."""

from django.core.management.base import BaseCommand

from articles.delivery import vocabulary
from articles.models import DailyQuery


class Command(BaseCommand):
    help = "Rebuild the search vocabulary and forget old query counts."

    def handle(self, *args, **options):
        words = vocabulary.rebuild()
        forgotten, _ = DailyQuery.objects.expired().delete()
        self.stdout.write(
            f"{words} vocabulary words; {forgotten} old daily query counts deleted."
        )
