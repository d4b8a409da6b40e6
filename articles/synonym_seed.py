"""The seed list of search synonyms (articles/fixtures/synonyms.toml), loaded
by the migration that made the synonym table and by `manage.py load_synonyms`.

It takes the model classes as arguments, so a migration can pass its
historical ones (which have none of the models' methods)."""

import tomllib
from collections.abc import Iterator
from pathlib import Path

from articles import search_words

SEED = Path(__file__).resolve().parent / "fixtures" / "synonyms.toml"
NOTE_LENGTH = 300


def seed_groups(path: Path = SEED) -> Iterator[dict]:
    """Each group of the seed list as the fields of a Synonym, its note
    naming the part of the list it comes from and that part's source."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for part in data["group"]:
        note = f"Seed list, {part['name']}: {part['source']}"[:NOTE_LENGTH]
        for term, *equivalents in part["synonyms"]:
            yield {
                "term": term,
                "equivalents": "\n".join(equivalents),
                "note": note,
                "lookup": search_words.lookup_key([term, *equivalents]),
            }


def load_synonyms(synonym_model, vocabulary_model, path: Path = SEED) -> int:
    """Add the seed groups whose term is not there yet (an editor's changes
    to a group are kept), and their words to the vocabulary; return how
    many groups were added."""
    existing = {
        term.casefold() for term in synonym_model.objects.values_list("term", flat=True)
    }
    new = [g for g in seed_groups(path) if g["term"].casefold() not in existing]
    synonym_model.objects.bulk_create([synonym_model(**g) for g in new], batch_size=500)
    words = set()
    for group in new:
        for form in [group["term"], *group["equivalents"].split("\n")]:
            words |= search_words.vocabulary_words(form)
    vocabulary_model.objects.bulk_create(
        [vocabulary_model(word=w) for w in sorted(words)],
        ignore_conflicts=True,
        batch_size=500,
    )
    return len(new)
