"""What search knows beyond the articles: synonyms editors keep, the
vocabulary misspellings are corrected against, and what readers searched
for, counted per day (docs/search.md)."""

import datetime
import functools
import operator

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q, Sum, Value
from django.db.models.functions import Greatest, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles import search_words
from articles.text import single_line

# How long the daily counts of readers' queries are kept.
QUERY_COUNT_DAYS = 90
# A synonym group's size: every form is searched whenever one is.
MAX_EQUIVALENTS = 30
MAX_FORM_LENGTH = 100


class SynonymQuerySet(models.QuerySet):
    def matching(self, phrases: list[str]) -> "SynonymQuerySet":
        """Groups with a term or an equivalent equal to one of `phrases`
        (normalised, as articles.search_words.phrases makes them)."""
        if not phrases:
            return self.none()
        return self.filter(
            functools.reduce(
                operator.or_, (Q(lookup__contains=f"|{p}|") for p in phrases)
            )
        )


class Synonym(models.Model):
    """A term and the words that mean the same to readers: a lay word and its
    clinical name, or the British and American spellings. A search for any of
    them finds articles that use any other."""

    term = models.CharField(
        _("term"),
        max_length=100,
        help_text=_("A word or phrase readers use, such as “period pain”."),
    )
    equivalents = models.TextField(
        _("equivalents"),
        help_text=_(
            "Words or phrases that mean the same, one per line (or separated by "
            "commas), such as “dysmenorrhoea” and “dysmenorrhea”."
        ),
    )
    note = models.CharField(
        _("note"),
        max_length=300,
        blank=True,
        help_text=_("Where the group comes from, or why it is here."),
    )
    # "|term|equivalent|…|", normalised: what a query's phrases are matched
    # against, so the whole group is read in one query.
    lookup = models.TextField(editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SynonymQuerySet.as_manager()

    class Meta:
        ordering = ["term"]
        verbose_name = _("synonym")
        verbose_name_plural = _("synonyms")
        constraints = [
            models.UniqueConstraint(Lower("term"), name="articles_synonym_term_unique")
        ]

    def __str__(self) -> str:
        return self.term

    def save(self, *args, **kwargs) -> None:
        self.term = single_line(self.term)
        self.equivalents = "\n".join(search_words.split_equivalents(self.equivalents))
        self.lookup = search_words.lookup_key(self.forms())
        with transaction.atomic():
            super().save(*args, **kwargs)
            VocabularyWord.objects.add(self.words())

    def clean(self) -> None:
        if not search_words.normalise(self.term):
            raise ValidationError({"term": _("Type a word or phrase.")})
        equivalents = search_words.split_equivalents(self.equivalents)
        if not equivalents:
            raise ValidationError(
                {"equivalents": _("Type at least one word that means the same.")}
            )
        if len(equivalents) > MAX_EQUIVALENTS:
            raise ValidationError(
                {
                    "equivalents": _(
                        "A group has at most %(most)d equivalents; this one has "
                        "%(count)d. Split it into groups of what truly means the "
                        "same."
                    )
                    % {"most": MAX_EQUIVALENTS, "count": len(equivalents)}
                }
            )
        if too_long := [e for e in equivalents if len(e) > MAX_FORM_LENGTH]:
            raise ValidationError(
                {
                    "equivalents": _(
                        "Each equivalent is at most %(most)d characters; “%(start)s…” "
                        "has %(length)d."
                    )
                    % {
                        "most": MAX_FORM_LENGTH,
                        "start": too_long[0][:30],
                        "length": len(too_long[0]),
                    }
                }
            )

    def forms(self) -> list[str]:
        """The term and its equivalents, as an editor wrote them."""
        return [self.term, *search_words.split_equivalents(self.equivalents)]

    def words(self) -> set[str]:
        """The words of the group, for the vocabulary."""
        return set().union(*(search_words.vocabulary_words(f) for f in self.forms()))


class VocabularyWordQuerySet(models.QuerySet):
    def add(self, words) -> None:
        """Add words not known yet (counts are set by a rebuild)."""
        self.bulk_create(
            [VocabularyWord(word=word) for word in sorted(words)],
            ignore_conflicts=True,
            batch_size=500,
        )


class VocabularyWord(models.Model):
    """A word of a live title, summary or topic, or of a synonym: what a
    misspelt word of a query is corrected to (a GIN trigram index on
    PostgreSQL, articles/migrations/0015_search.py)."""

    word = models.CharField(
        _("word"), max_length=search_words.LONGEST_WORD, unique=True
    )
    articles = models.PositiveIntegerField(
        _("articles"),
        default=0,
        help_text=_("Live articles using it, at the last rebuild; 0 for synonyms."),
    )

    objects = VocabularyWordQuerySet.as_manager()

    class Meta:
        ordering = ["word"]
        verbose_name = _("vocabulary word")
        verbose_name_plural = _("vocabulary")

    def __str__(self) -> str:
        return self.word


class DailyQueryQuerySet(models.QuerySet):
    def count_search(self, query: str, found: bool) -> bool:
        """Count one search for `query` today; False if it was not counted
        (empty once normalised, or looking like personal data)."""
        return self._count(query, {"searches": F("searches") + 1, "found": found})

    def count_click(self, query: str) -> bool:
        """Count one click on a result of `query` today."""
        return self._count(query, {"clicks": F("clicks") + 1})

    def _count(self, query: str, updates: dict) -> bool:
        if search_words.looks_personal(query):
            return False
        key = search_words.normalise(query)[: DailyQuery.MAX_LENGTH]
        if not key:
            return False
        today = timezone.localdate()
        if self.filter(day=today, query=key).update(**updates):
            return True
        try:
            with transaction.atomic():
                self.create(
                    day=today,
                    query=key,
                    searches=1 if "searches" in updates else 0,
                    clicks=1 if "clicks" in updates else 0,
                    found=updates.get("found", True),
                )
        except IntegrityError:  # another request created today's row first
            self.filter(day=today, query=key).update(**updates)
        return True

    def unmet(self, days: int = 30, today: datetime.date | None = None):
        """Queries of the last `days` days by how often readers did not find
        what they looked for: searches that found nothing, or were followed
        by no click on a result (searches less clicks, per day)."""
        today = today or timezone.localdate()
        return (
            self.filter(day__gt=today - datetime.timedelta(days=days))
            .values("query")
            .annotate(
                unmet=Sum(Greatest(F("searches") - F("clicks"), Value(0))),
                searched=Sum("searches"),
                found_nothing=Sum(
                    models.Case(
                        models.When(found=False, then=F("searches")),
                        default=Value(0),
                    )
                ),
            )
            .filter(unmet__gt=0)
            .order_by("-unmet", "query")
        )

    def expired(self, today: datetime.date | None = None):
        """Counts older than QUERY_COUNT_DAYS, to be deleted."""
        today = today or timezone.localdate()
        return self.filter(day__lte=today - datetime.timedelta(days=QUERY_COUNT_DAYS))


class DailyQuery(models.Model):
    """How many readers searched for one normalised query on one day, whether
    it found anything, and how many clicked a result. Nothing else: no
    address, no cookie, nothing that tells readers apart."""

    MAX_LENGTH = 200

    day = models.DateField(_("day"))
    query = models.CharField(_("query"), max_length=MAX_LENGTH)
    searches = models.PositiveIntegerField(_("searches"), default=0)
    clicks = models.PositiveIntegerField(_("clicks on a result"), default=0)
    found = models.BooleanField(
        _("found results"), default=True, help_text=_("At its last search that day.")
    )

    objects = DailyQueryQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "-searches"]
        verbose_name = _("daily search count")
        verbose_name_plural = _("daily search counts")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "query"], name="articles_dailyquery_day_query"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.query}"
