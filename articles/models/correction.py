"""Corrections: the public record of each correction that went live, for the
site's list of corrections and its feed."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models.revision import CORRECTION_NOTE_LIMIT


class CorrectionQuerySet(models.QuerySet):
    def public(self) -> "CorrectionQuerySet":
        """Corrections of live articles, newest first."""
        return self.filter(article__live_revision__isnull=False).order_by(
            "-published_at", "-pk"
        )


class Correction(models.Model):
    """A correction that went live: its note, as reviewed in its revision,
    and when readers first saw it. Written when the revision goes live
    (articles/workflow/corrections.py); listed while its article is live."""

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="corrections"
    )
    revision = models.OneToOneField(
        "articles.Revision", on_delete=models.CASCADE, related_name="correction"
    )
    note = models.CharField(_("note"), max_length=CORRECTION_NOTE_LIMIT)
    published_at = models.DateTimeField(_("published"), default=timezone.now)

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        indexes = [
            models.Index(
                fields=["-published_at", "-id"], name="articles_correction_newest"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} r{self.revision_id}: {self.note[:60]}"

    def get_absolute_url(self) -> str:
        return self.article.get_absolute_url()
