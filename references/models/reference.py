import calendar
import datetime
import json
import re
from collections.abc import Collection, Iterable

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from references import identifiers
from references.links import validate_http_url
from references.records import (
    EVIDENCE_LEVELS,
    KINDS,
    Author,
    make_citation_key,
    people,
    suggest_evidence_level,
)

IDENTIFIER_FIELDS = {
    "doi": identifiers.normalize_doi,
    "pmid": identifiers.normalize_pmid,
    "pmcid": identifiers.normalize_pmcid,
    "isbn": identifiers.normalize_isbn,
}
# The earliest year a cited source can have; the latest is next year (journals
# publish issues dated ahead). The database backs a looser, fixed upper bound.
YEAR_MIN = 1400
DB_YEAR_MAX = 9999
NAME_KEYS = {"family", "given", "literal", "suffix"}
# PostgreSQL cannot store NUL in text or JSON, nor can UTF-8 hold a lone surrogate.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class ReferenceQuerySet(models.QuerySet):
    def retracted(self) -> "ReferenceQuerySet":
        """References whose retraction blocks citing them."""
        return self.filter(retraction_status=Reference.Retraction.RETRACTED)

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
                errors.setdefault(field.name, []).append(_unstorable(value))
        for name, label in (("authors", _("Author")), ("editors", _("Editor"))):
            message = _names_error(getattr(self, name), label)
            if message:
                errors.setdefault(name, []).append(message)
        types = self.publication_types
        if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
            errors.setdefault("publication_types", []).append(
                _('Publication types must be a list of text, like ["Review"].')
            )
        elif any(UNSTORABLE.search(t) for t in types):
            errors.setdefault("publication_types", []).append(
                _unstorable("".join(types))
            )
        for name, message in self._date_errors().items():
            errors.setdefault(name, []).append(message)
        return errors

    def _date_errors(self) -> dict[str, str]:
        errors = {}
        year, month, day = (
            value if isinstance(value, int) and not isinstance(value, bool) else None
            for value in (self.year, self.month, self.day)
        )
        # The UTC date is close enough for limits with a year's and a day's slack,
        # and much cheaper than the local date for 10,000 imported records.
        today = timezone.now().date()
        latest = today.year + 1
        if year is not None and not YEAR_MIN <= year <= latest:
            errors["year"] = _("The year must be between %(min)s and %(max)s.") % {
                "min": YEAR_MIN,
                "max": latest,
            }
        if month is not None:
            if not 1 <= month <= 12:
                errors["month"] = _("The month must be between 1 and 12.")
            elif self.year is None:
                errors["month"] = _("A month needs a year.")
        if day is not None:
            if self.month is None:
                errors["day"] = _("A day needs a month.")
            elif not 1 <= day <= 31:
                errors["day"] = _("The day must be between 1 and 31.")
            elif year is not None and month is not None and not errors:
                last = calendar.monthrange(year, month)[1]
                if day > last:
                    errors["day"] = _("%(month)s %(year)s has only %(last)s days.") % {
                        "month": calendar.month_name[month],
                        "year": year,
                        "last": last,
                    }
        # A day of slack: "today" in the reader's time zone may be tomorrow here.
        tomorrow = today + datetime.timedelta(days=1)
        if isinstance(self.accessed, datetime.date) and self.accessed > tomorrow:
            errors["accessed"] = _("The accessed date cannot be in the future.")
        return errors

    @property
    def author_list(self) -> list[Author]:
        return people(self.authors)

    @property
    def is_retracted(self) -> bool:
        return self.retraction_status == self.Retraction.RETRACTED


def _unstorable(value: str) -> str:
    if "\x00" in value:
        return _("Remove the NUL character (\\x00); it cannot be stored.")
    return _(
        "Remove the invalid character (an unpaired surrogate); it cannot be stored."
    )


def _names_error(value: object, label: str) -> str | None:
    """Why a list of names is malformed, or None: [{"family": …, "given": …}, …]."""
    if not isinstance(value, list):
        return _(
            'Enter a list of names, like [{"family": "Najmabadi", "given": '
            '"Shahpar"}] or [{"literal": "World Health Organization"}].'
        )
    for number, name in enumerate(value, 1):
        where = {"label": label, "n": number}
        if not isinstance(name, dict):
            return _(
                "%(label)s %(n)s must be an object with a family or literal name, "
                "not %(value)s."
            ) % {**where, "value": json.dumps(name, default=repr)[:60]}
        unknown = sorted(set(name) - NAME_KEYS)
        if unknown:
            return _(
                "%(label)s %(n)s has unknown key(s) %(keys)s; use family, given, "
                "suffix or literal."
            ) % {**where, "keys": ", ".join(f"“{key[:30]}”" for key in unknown)}
        for key, part in name.items():
            if not isinstance(part, str):
                return _("%(label)s %(n)s: “%(key)s” must be text.") % {
                    **where,
                    "key": key,
                }
            if UNSTORABLE.search(part):
                return _("%(label)s %(n)s: %(problem)s") % {
                    **where,
                    "problem": _unstorable(part),
                }
        if not (name.get("family", "").strip() or name.get("literal", "").strip()):
            return (
                _("%(label)s %(n)s needs a family name, or a literal name for a group.")
                % where
            )
    return None


class PendingImportError(Exception):
    """A confirmation that cannot go ahead, with a message a person can act on."""


class PendingImportQuerySet(models.QuerySet):
    def expired(self) -> "PendingImportQuerySet":
        """Uploads older than a day: they can no longer be confirmed."""
        return self.filter(created_at__lt=timezone.now() - PendingImport.LIFETIME)


class PendingImport(models.Model):
    """An uploaded import kept between its preview and its confirmation.

    The confirm form carries only a signed token naming this row, so a large
    file never travels back through the browser.
    """

    LIFETIME = datetime.timedelta(days=1)
    TOKEN_SALT = "references.PendingImport.token"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    format = models.CharField(_("format"), max_length=20, blank=True)
    text = models.TextField(_("records"))
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = PendingImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("pending import")
        verbose_name_plural = _("pending imports")
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"Import by {self.created_by} at {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def token(self) -> str:
        """A signed, timestamped token naming this upload, for the confirm form."""
        return signing.dumps(self.pk, salt=self.TOKEN_SALT)

    @classmethod
    def for_token(cls, token: str, user: models.Model) -> "PendingImport":
        """The upload a confirm form names; only its uploader, within a day."""
        try:
            pk = signing.loads(
                token, salt=cls.TOKEN_SALT, max_age=cls.LIFETIME.total_seconds()
            )
        except signing.SignatureExpired:
            raise PendingImportError(
                _("This preview is more than a day old; upload the file again.")
            ) from None
        except signing.BadSignature:
            raise PendingImportError(
                _("This confirmation is not valid; upload the file again.")
            ) from None
        pending = cls.objects.filter(pk=pk).first()
        if pending is None:
            raise PendingImportError(
                _(
                    "This import was already confirmed, or has expired; check the "
                    "reference list, or upload the file again."
                )
            )
        if pending.created_by_id != user.pk:
            raise PendingImportError(
                _("Only the person who uploaded this import can confirm it.")
            )
        if pending.created_at < timezone.now() - cls.LIFETIME:
            pending.delete()
            raise PendingImportError(
                _("This preview is more than a day old; upload the file again.")
            )
        return pending
