from collections.abc import Collection, Iterable

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from references import identifiers
from references.links import validate_http_url
from references.models.evidence import EvidenceSource
from references.records import (
    EVIDENCE_LEVELS,
    KINDS,
    Author,
    make_citation_key,
    people,
    suggest_evidence_level,
)
from references.validation import (
    DB_YEAR_MAX,
    UNSTORABLE,
    YEAR_MIN,
    date_errors,
    names_error,
    unstorable_message,
)

IDENTIFIER_FIELDS = {
    "doi": identifiers.normalize_doi,
    "pmid": identifiers.normalize_pmid,
    "pmcid": identifiers.normalize_pmcid,
    "isbn": identifiers.normalize_isbn,
}


class ReferenceQuerySet(models.QuerySet):
    def retracted(self) -> "ReferenceQuerySet":
        """References whose notice blocks citing them: retracted, withdrawn or
        removed."""
        return self.filter(retraction_status__in=Reference.Retraction.blocking())

    def with_broken_links(self) -> "ReferenceQuerySet":
        """References whose cited URL failed its last check (for editors)."""
        return self.filter(link_broken_since__isnull=False)

    def flagged(self) -> "ReferenceQuerySet":
        """References with any retraction notice: retraction, correction or EoC."""
        return self.exclude(retraction_status=Reference.Retraction.NONE)

    def with_dois(self, dois: Iterable[str]) -> "ReferenceQuerySet":
        """References with any of these DOIs, compared case-insensitively."""
        keys = {identifiers.doi_key(doi) for doi in dois if doi}
        # Written to match the partial unique index on Lower("doi").
        return (
            self.exclude(doi="")
            .alias(doi_key=Lower("doi"))
            .filter(doi_key__in=sorted(keys))
        )

    def with_doi(self, doi: str) -> "ReferenceQuerySet":
        """References with this DOI, compared case-insensitively."""
        return self.with_dois([doi])


class Reference(models.Model):
    """A citable source with structured bibliographic fields."""

    class Retraction(models.TextChoices):
        NONE = "", _("No notice")
        RETRACTED = "retraction", _("Retracted")
        WITHDRAWN = "withdrawal", _("Withdrawn")
        REMOVED = "removal", _("Removed")
        CONCERN = "expression_of_concern", _("Expression of concern")
        PARTIAL_RETRACTION = "partial_retraction", _("Partially retracted")
        CORRECTION = "correction", _("Correction")
        ERRATUM = "erratum", _("Erratum")
        ADDENDUM = "addendum", _("Addendum")
        OTHER = "other", _("Other notice")

        @classmethod
        def blocking(cls) -> list[str]:
            """The notices that block citing a source (see retractions.BLOCKING)."""
            return [cls.RETRACTED, cls.WITHDRAWN, cls.REMOVED]

    kind = models.CharField(
        _("type"), max_length=20, choices=KINDS, default="journal_article"
    )
    citation_key = models.SlugField(
        _("citation key"),
        max_length=80,
        unique=True,
        help_text=_("Cite it in an article as [@key]. Generated when left blank."),
        blank=True,
    )
    title = models.TextField(_("title"))
    authors = models.JSONField(
        _("authors"),
        default=list,
        blank=True,
        help_text=_(
            'Ordered list: {"family": "Najmabadi", "given": "Shahpar"} for a '
            'person, {"literal": "WHO Guideline Group"} for a group.'
        ),
    )
    editors = models.JSONField(_("editors"), default=list, blank=True)
    container_title = models.CharField(
        _("journal, book or website"), max_length=500, blank=True
    )
    journal_abbrev = models.CharField(
        _("NLM journal abbreviation"), max_length=200, blank=True
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    day = models.PositiveSmallIntegerField(_("day"), null=True, blank=True)
    volume = models.CharField(_("volume"), max_length=50, blank=True)
    issue = models.CharField(_("issue"), max_length=50, blank=True)
    pages = models.CharField(_("pages"), max_length=50, blank=True)
    publisher = models.CharField(_("publisher"), max_length=300, blank=True)
    publisher_place = models.CharField(_("place"), max_length=200, blank=True)
    edition = models.CharField(_("edition"), max_length=50, blank=True)
    doi = models.CharField(_("DOI"), max_length=300, blank=True)
    pmid = models.CharField(_("PMID"), max_length=10, blank=True)
    pmcid = models.CharField(_("PMCID"), max_length=20, blank=True)
    isbn = models.CharField(_("ISBN"), max_length=13, blank=True)
    url = models.URLField(
        _("URL"), max_length=1000, blank=True, validators=[validate_http_url]
    )
    accessed = models.DateField(_("accessed"), null=True, blank=True)
    publication_types = models.JSONField(
        _("publication types"), default=list, blank=True
    )
    evidence_level = models.CharField(
        _("evidence level"), max_length=30, choices=EVIDENCE_LEVELS, blank=True
    )
    retraction_status = models.CharField(
        _("retraction status"),
        max_length=30,
        choices=Retraction.choices,
        default=Retraction.NONE,
        blank=True,
    )
    retraction_notice_doi = models.CharField(
        _("notice DOI"), max_length=300, blank=True
    )
    retraction_date = models.DateField(_("notice date"), null=True, blank=True)
    retraction_reason = models.TextField(_("notice reason"), blank=True)
    retraction_checked_at = models.DateTimeField(
        _("retractions last checked"), null=True, blank=True
    )
    last_checked_at = models.DateTimeField(
        _("evidence last checked"), null=True, blank=True, editable=False
    )
    last_checked_source = models.CharField(
        _("last checked by"),
        max_length=30,
        blank=True,
        editable=False,
        choices=EvidenceSource,
    )
    link_checked_at = models.DateTimeField(
        _("link last checked"), null=True, blank=True, editable=False
    )
    link_status = models.CharField(
        _("link status"),
        max_length=200,
        blank=True,
        editable=False,
        help_text=_("What the last check of the URL got, when it failed."),
    )
    link_broken_since = models.DateTimeField(
        _("link broken since"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["citation_key"]
        verbose_name = _("reference")
        verbose_name_plural = _("references")
        constraints = [
            models.UniqueConstraint(
                Lower("doi"),
                condition=~models.Q(doi=""),
                name="references_reference_unique_doi",
                violation_error_message=_("A reference with this DOI already exists."),
            ),
            models.UniqueConstraint(
                "pmid",
                condition=~models.Q(pmid=""),
                name="references_reference_unique_pmid",
                violation_error_message=_("A reference with this PMID already exists."),
            ),
            models.CheckConstraint(
                condition=models.Q(year__isnull=True)
                | models.Q(year__gte=YEAR_MIN, year__lte=DB_YEAR_MAX),
                name="references_reference_year_range",
                violation_error_message=_("The year is out of range."),
            ),
            models.CheckConstraint(
                condition=models.Q(month__isnull=True)
                | models.Q(month__gte=1, month__lte=12),
                name="references_reference_month_range",
                violation_error_message=_("The month must be between 1 and 12."),
            ),
            models.CheckConstraint(
                condition=models.Q(day__isnull=True)
                | models.Q(day__gte=1, day__lte=31),
                name="references_reference_day_range",
                violation_error_message=_("The day must be between 1 and 31."),
            ),
            models.CheckConstraint(
                condition=models.Q(month__isnull=True) | models.Q(year__isnull=False),
                name="references_reference_month_needs_year",
                violation_error_message=_("A month needs a year."),
            ),
            models.CheckConstraint(
                condition=models.Q(day__isnull=True) | models.Q(month__isnull=False),
                name="references_reference_day_needs_month",
                violation_error_message=_("A day needs a month."),
            ),
            models.CheckConstraint(
                condition=models.Q(url="")
                | models.Q(url__istartswith="http://")
                | models.Q(url__istartswith="https://"),
                name="references_reference_url_http",
                violation_error_message=_(
                    "The URL must start with http:// or https://."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.citation_key}: {self.title[:80]}"

    def save(self, *args, **kwargs) -> None:
        """Normalize, fill in the key and evidence level, validate, then save.

        The same rules as the admin form apply (`validate`), so the shell and
        scripts cannot store a row the form would refuse. Uniqueness is left to
        the database constraints.
        """
        self.normalize()
        if not self.citation_key:
            others = Reference.objects.exclude(pk=self.pk)
            self.citation_key = make_citation_key(
                self.authors,
                self.year,
                self.title,
                lambda key: others.filter(citation_key=key).exists(),
            )
        if not self.evidence_level:
            self.evidence_level = suggest_evidence_level(self.publication_types)
        update_fields = kwargs.get("update_fields")
        exclude = set()
        if update_fields is not None:
            exclude = {f.name for f in self._meta.concrete_fields} - set(update_fields)
        self.validate(exclude=exclude)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("admin:references_reference_change", args=[self.pk])

    def normalize(self) -> dict[str, str]:
        """Normalize the identifiers in place; return errors by field."""
        errors = {}
        for name, normalize in IDENTIFIER_FIELDS.items():
            value = getattr(self, name)
            if not isinstance(value, str):
                continue  # clean_fields reports it
            try:
                setattr(self, name, normalize(value))
            except identifiers.IdentifierError as error:
                errors[name] = str(error)
        return errors

    def validate(self, exclude: Collection[str] = ()) -> None:
        """Every rule but uniqueness; raise ValidationError with errors by field.

        `save()` and the importers call this. The admin form runs the same
        rules through `full_clean()` (field validators, then `clean()`).
        """
        errors: dict[str, list] = {}
        try:
            self.clean_fields(exclude=set(exclude))
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for name, messages in self.rule_errors().items():
            if name not in exclude and name not in errors:
                errors[name] = messages
        if errors:
            raise ValidationError(errors)

    def clean(self) -> None:
        errors = self.rule_errors()
        for name in ("doi", "pmid"):
            value = getattr(self, name)
            if not value or name in errors:
                continue
            others = Reference.objects.exclude(pk=self.pk)
            if name == "doi":
                existing = others.with_doi(value).first()
            else:
                existing = others.filter(pmid=value).first()
            if existing is not None:
                errors[name] = [
                    format_html(
                        'A reference with this {} already exists: <a href="{}">{}</a>.',
                        name.upper(),
                        existing.get_absolute_url(),
                        existing,
                    )
                ]
        if errors:
            raise ValidationError(errors)

    def rule_errors(self) -> dict[str, list[str]]:
        """The model's own rules, field by field (identifiers normalized in place).

        Field validators (lengths, choices, URL) run separately in clean_fields.
        """
        errors = {name: [message] for name, message in self.normalize().items()}
        for field in self._meta.concrete_fields:
            value = getattr(self, field.attname)
            if isinstance(value, str) and UNSTORABLE.search(value):
                errors.setdefault(field.name, []).append(unstorable_message(value))
        for name, label in (("authors", _("Author")), ("editors", _("Editor"))):
            message = names_error(getattr(self, name), label)
            if message:
                errors.setdefault(name, []).append(message)
        types = self.publication_types
        if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
            errors.setdefault("publication_types", []).append(
                _('Publication types must be a list of text, like ["Review"].')
            )
        elif any(UNSTORABLE.search(t) for t in types):
            errors.setdefault("publication_types", []).append(
                unstorable_message("".join(types))
            )
        dates = date_errors(self.year, self.month, self.day, self.accessed)
        for name, message in dates.items():
            errors.setdefault(name, []).append(message)
        return errors

    @property
    def author_list(self) -> list[Author]:
        return people(self.authors)

    @property
    def is_retracted(self) -> bool:
        """Retracted, withdrawn or removed: citing it is blocked."""
        return self.retraction_status in self.Retraction.blocking()
