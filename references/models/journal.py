"""NLM journal abbreviations, for references imported or looked up without one."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from references.journals import journal_key


class JournalAbbreviation(models.Model):
    """A journal's NLM title and abbreviation; editors add to the shipped table."""

    title = models.CharField(
        _("NLM title"),
        max_length=300,
        help_text=_(
            "The title as the NLM Catalog gives it, e.g. “Human reproduction "
            "(Oxford, England)”. Records match it without case, punctuation, a "
            "leading “The” or a place in brackets."
        ),
    )
    abbreviation = models.CharField(
        _("NLM abbreviation"),
        max_length=200,
        help_text=_("The NLM (MEDLINE) abbreviation, e.g. “Hum Reprod”."),
    )
    key = models.CharField(max_length=300, unique=True, editable=False)

    class Meta:
        ordering = ["title"]
        verbose_name = _("journal abbreviation")
        verbose_name_plural = _("journal abbreviations")

    def __str__(self) -> str:
        return f"{self.title} → {self.abbreviation}"

    def save(self, *args, **kwargs) -> None:
        self.key = journal_key(self.title)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        key = journal_key(self.title)
        if not key:
            raise ValidationError({"title": _("Enter the journal's title.")})
        if JournalAbbreviation.objects.exclude(pk=self.pk).filter(key=key).exists():
            raise ValidationError({"title": _("This journal is in the table already.")})
