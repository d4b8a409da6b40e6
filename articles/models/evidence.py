"""Evidence alerts: what a finding about a cited source asks of one live
article (articles/evidence_alerts.py raises them)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EvidenceAlertQuerySet(models.QuerySet):
    def open(self) -> "EvidenceAlertQuerySet":
        """Alerts no full review has answered yet."""
        return self.filter(closed_at__isnull=True)

    def due(self) -> "EvidenceAlertQuerySet":
        """Open alerts that ask for a re-review now."""
        return self.open().filter(re_review=True)

    def for_reviewer(self, user) -> "EvidenceAlertQuerySet":
        """Open re-reviews waiting for `user`: those of the pages they
        approved, and those of pages whose reviewer left (anyone's)."""
        return self.due().filter(
            models.Q(reviewer=user) | models.Q(reviewer__isnull=True)
        )


class EvidenceAlert(models.Model):
    """A finding about a source that a live article's page cites: the page's
    re-review it asks for, with the sentences that cite the source.

    Closed when a full review of the article goes live after it, or when the
    article is withdrawn. The reader's notice is not read from here: it is
    prepared from the findings themselves (articles/delivery/evidence.py).
    """

    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.CASCADE,
        related_name="evidence_alerts",
    )
    revision = models.ForeignKey(
        "articles.Revision",
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("The live revision that cited the source."),
    )
    finding = models.ForeignKey(
        "references.EvidenceFinding",
        on_delete=models.CASCADE,
        related_name="alerts",
    )
    reference = models.ForeignKey(
        "references.Reference", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=30)
    number = models.PositiveIntegerField(
        _("reference number"), help_text=_("Its number in the page's reference list.")
    )
    sentences = models.JSONField(
        _("sentences citing it"),
        default=list,
        help_text=_("The claims on the live page that rely on the source."),
    )
    re_review = models.BooleanField(_("re-review now"), default=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Who approved the live revision: the re-review is theirs."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = EvidenceAlertQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("evidence alert")
        verbose_name_plural = _("evidence alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "finding"], name="articles_evidencealert_once"
            )
        ]
        indexes = [models.Index(fields=["closed_at", "reviewer"])]

    def __str__(self) -> str:
        return f"{self.article_id}: reference {self.number} ({self.kind})"
