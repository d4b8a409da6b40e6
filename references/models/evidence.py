"""The record of evidence checks: every run of a watcher, what it found, and
the Retraction Watch records already seen (for the daily diff)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EvidenceSource(models.TextChoices):
    CROSSREF = "crossref-incremental", _("Crossref notices (nightly)")
    CROSSREF_FULL = "crossref-full", _("Crossref works (weekly)")
    PUBMED = "pubmed", _("PubMed")
    CSV = "csv", _("Retraction Watch CSV")
    LINKS = "links", _("Cited links")


class EvidenceCheckQuerySet(models.QuerySet):
    def succeeded(self) -> "EvidenceCheckQuerySet":
        """Checks that ran to the end and were applied."""
        return self.filter(result=EvidenceCheck.Result.OK)

    def latest_by_source(self) -> dict[str, "EvidenceCheck"]:
        """The last check of each source, whatever its result (a query a source)."""
        latest = {}
        for source in EvidenceSource.values:
            check = self.filter(source=source).order_by("-started_at", "-pk").first()
            if check is not None:
                latest[source] = check
        return latest


class EvidenceCheck(models.Model):
    """One run of one watcher: when, on what data, and how it ended.

    A failed check applied nothing: its findings are only recorded when the
    whole run succeeds.
    """

    class Result(models.TextChoices):
        RUNNING = "running", _("Running")
        OK = "ok", _("Succeeded")
        FAILED = "failed", _("Failed")

    source = models.CharField(_("source"), max_length=30, choices=EvidenceSource)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    dataset = models.CharField(
        _("dataset"),
        max_length=200,
        blank=True,
        help_text=_(
            "What was read: the CSV's SHA-256, the Crossref index date, the "
            "day's slice of the library."
        ),
    )
    result = models.CharField(
        _("result"), max_length=10, choices=Result, default=Result.RUNNING
    )
    error = models.CharField(_("error"), max_length=500, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    checked = models.PositiveIntegerField(_("references checked"), default=0)
    findings = models.PositiveIntegerField(_("new findings"), default=0)
    reference = models.ForeignKey(
        "references.Reference",
        verbose_name=_("only reference"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = EvidenceCheckQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("evidence check")
        verbose_name_plural = _("evidence checks")
        indexes = [models.Index(fields=["source", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.started_at:%Y-%m-%d %H:%M}"


class EvidenceFindingQuerySet(models.QuerySet):
    def new(self) -> "EvidenceFindingQuerySet":
        """Findings nobody has acknowledged yet."""
        return self.filter(acknowledged_at__isnull=True)


class EvidenceFinding(models.Model):
    """A notice about a cited source, found by a watcher: recorded once per
    reference, kind and notice, whichever source sees it first."""

    class Kind(models.TextChoices):
        RETRACTION = "retraction", _("Retraction")
        WITHDRAWAL = "withdrawal", _("Withdrawal")
        REMOVAL = "removal", _("Removal")
        CONCERN = "expression_of_concern", _("Expression of concern")
        PARTIAL_RETRACTION = "partial_retraction", _("Partial retraction")
        CORRECTION = "correction", _("Correction")
        ERRATUM = "erratum", _("Erratum")
        ADDENDUM = "addendum", _("Addendum")
        OTHER = "other", _("Other notice")

    reference = models.ForeignKey(
        "references.Reference",
        verbose_name=_("reference"),
        on_delete=models.CASCADE,
        related_name="evidence_findings",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind)
    notice_date = models.DateField(_("notice date"), null=True, blank=True)
    notice_doi = models.CharField(_("notice DOI"), max_length=300, blank=True)
    notice_url = models.URLField(_("notice URL"), max_length=1000, blank=True)
    notice_pmid = models.CharField(_("notice PMID"), max_length=10, blank=True)
    # The notice's identity, so a notice seen again (or by another source) is
    # not a new finding: its DOI in lower case, else pmid:…, else rw:…
    notice_key = models.CharField(max_length=320, editable=False)
    label = models.CharField(_("label"), max_length=200, blank=True)
    source = models.CharField(_("found by"), max_length=30, choices=EvidenceSource)
    provenance = models.CharField(
        _("provenance"),
        max_length=50,
        blank=True,
        help_text=_("Who recorded the notice: retraction-watch, publisher, NLM."),
    )
    record_id = models.CharField(
        _("Retraction Watch record"), max_length=20, blank=True
    )
    found_at = models.DateTimeField(_("found"), default=timezone.now)
    check_run = models.ForeignKey(
        EvidenceCheck,
        verbose_name=_("check"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="found",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)

    objects = EvidenceFindingQuerySet.as_manager()

    class Meta:
        ordering = ["-found_at", "-pk"]
        verbose_name = _("evidence finding")
        verbose_name_plural = _("evidence findings")
        constraints = [
            models.UniqueConstraint(
                fields=["reference", "kind", "notice_key"],
                name="references_evidencefinding_once",
            )
        ]
        indexes = [models.Index(fields=["acknowledged_at", "-found_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.reference_id} ({self.notice_key})"

    @property
    def is_new(self) -> bool:
        return self.acknowledged_at is None

    @property
    def link(self) -> str:
        """Where a person reads the notice."""
        if self.notice_doi:
            return f"https://doi.org/{self.notice_doi}"
        if self.notice_url:
            return self.notice_url
        if self.notice_pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.notice_pmid}/"
        return ""


class RetractionWatchRecord(models.Model):
    """A Retraction Watch CSV row already applied, by Record ID, with a digest
    of its fields: the next file's unchanged rows are skipped."""

    record_id = models.CharField(max_length=20, primary_key=True)
    digest = models.CharField(max_length=64)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Retraction Watch record")
        verbose_name_plural = _("Retraction Watch records")

    def __str__(self) -> str:
        return self.record_id
