from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from references import identifiers
from references.records import (
    EVIDENCE_LEVELS,
    KINDS,
    Author,
    make_citation_key,
    suggest_evidence_level,
)

IDENTIFIER_FIELDS = {
    "doi": identifiers.normalize_doi,
    "pmid": identifiers.normalize_pmid,
    "pmcid": identifiers.normalize_pmcid,
    "isbn": identifiers.normalize_isbn,
}


class ReferenceQuerySet(models.QuerySet):
    def retracted(self) -> "ReferenceQuerySet":
        """References whose retraction blocks citing them."""
        return self.filter(retraction_status=Reference.Retraction.RETRACTED)

    def flagged(self) -> "ReferenceQuerySet":
        """References with any retraction notice: retraction, correction or EoC."""
        return self.exclude(retraction_status=Reference.Retraction.NONE)


class Reference(models.Model):
    """A citable source with structured bibliographic fields."""

    class Retraction(models.TextChoices):
        NONE = "", _("No notice")
        RETRACTED = "retraction", _("Retracted")
        CORRECTION = "correction", _("Correction")
        CONCERN = "expression_of_concern", _("Expression of concern")
        OTHER = "other", _("Other notice")

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
    url = models.URLField(_("URL"), max_length=1000, blank=True)
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
        ]

    def __str__(self) -> str:
        return f"{self.citation_key}: {self.title[:80]}"

    def save(self, *args, **kwargs) -> None:
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
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("admin:references_reference_change", args=[self.pk])

    def normalize(self) -> dict[str, str]:
        """Normalize the identifiers in place; return errors by field."""
        errors = {}
        for name, normalize in IDENTIFIER_FIELDS.items():
            try:
                setattr(self, name, normalize(getattr(self, name)))
            except identifiers.IdentifierError as error:
                errors[name] = str(error)
        return errors

    def clean(self) -> None:
        errors = self.normalize()
        for name in ("doi", "pmid"):
            value = getattr(self, name)
            if not value or name in errors:
                continue
            lookup = {f"{name}__iexact": value}
            existing = Reference.objects.filter(**lookup).exclude(pk=self.pk).first()
            if existing is not None:
                errors[name] = format_html(
                    'A reference with this {} already exists: <a href="{}">{}</a>.',
                    name.upper(),
                    existing.get_absolute_url(),
                    existing,
                )
        if self.month and not 1 <= self.month <= 12:
            errors["month"] = _("The month must be between 1 and 12.")
        if self.day and not 1 <= self.day <= 31:
            errors["day"] = _("The day must be between 1 and 31.")
        if errors:
            raise ValidationError(errors)

    @property
    def author_list(self) -> list[Author]:
        return [Author.from_dict(a) for a in self.authors or []]

    @property
    def is_retracted(self) -> bool:
        return self.retraction_status == self.Retraction.RETRACTED
