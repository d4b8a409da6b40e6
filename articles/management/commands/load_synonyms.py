"""Load the seed list of search synonyms (articles/fixtures/synonyms.toml).

Idempotent: groups whose term exists already are left as editors made them.
"""

from django.core.management.base import BaseCommand

from articles.models import Synonym, VocabularyWord
from articles.synonym_seed import load_synonyms


class Command(BaseCommand):
    help = "Add the seed list's search synonyms that are not there yet."

    def handle(self, *args, **options):
        added = load_synonyms(Synonym, VocabularyWord)
        self.stdout.write(f"{added} synonym groups added.")
