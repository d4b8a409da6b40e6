"""Revisions (immutable snapshots of what readers see) and reviews of them."""

import datetime
import hashlib
import json

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models.people import (
    DEFAULT_REVIEW_INTERVAL_MONTHS,
    Contributor,
    Topic,
)
from articles.models.proof import SignOffProof

CONTENT_FIELDS = (
    "title",
    "summary",
    "body",
    "seo_title",
    "meta_description",
    "social_image",
    "social_image_alt",
    "medical_audience",
    "disclosures",
)
# A correction's note to readers: one short paragraph of plain text.
CORRECTION_NOTE_LIMIT = 500


class ChangeClass(models.TextChoices):
    """What an update of a live page is, as its writer classifies it and its
    reviewer confirms: readers see a correction's note; an update moves "last
    reviewed"; a minor change is listed without a note."""

    CORRECTION = "correction", _("Correction")
    UPDATE = "update", _("Update")
    MINOR = "minor", _("Minor change")


def compute_content_hash(content: dict, references: list[dict]) -> str:
    """SHA-256 over a canonical JSON form of the content and its references.

    `content` holds everything readers see: the text fields, the bylines and
    topics as frozen, and the review interval.
    """
    canonical = json.dumps(
        {"content": content, "references": references},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Return the same day `months` later, clamped to the end of shorter months."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise ValueError(day)


class Revision(models.Model):
    """An immutable snapshot of an article's content and its cited references."""

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("body"), blank=True)
    seo_title = models.CharField(_("SEO title"), max_length=200, blank=True)
    meta_description = models.TextField(_("meta description"), blank=True)
    social_image = models.CharField(max_length=300, blank=True)
    social_image_alt = models.CharField(max_length=300, blank=True)
    medical_audience = models.CharField(max_length=20)
    disclosures = models.TextField(blank=True)
    review_interval_months = models.PositiveSmallIntegerField(null=True, blank=True)
    bylines = models.JSONField(
        _("authors as shown"),
        default=list,
        help_text=_("Names and credentials of the authors, frozen in byline order."),
    )
    topic_list = models.JSONField(
        _("topics as shown"),
        default=list,
        help_text=_("Names and slugs of the topics, frozen."),
    )
    authors = models.ManyToManyField(
        Contributor, related_name="revisions_authored", blank=True
    )
    topics = models.ManyToManyField(Topic, related_name="revisions", blank=True)
    body_html = models.TextField(_("rendered body"))
    toc = models.JSONField(_("table of contents"), default=list)
    cited = models.JSONField(
        _("cited references"),
        default=list,
        help_text=_("The formatted references, frozen in citation order."),
    )
    references_html = models.TextField(
        _("rendered reference list"),
        blank=True,
        help_text=_("The numbered reference list as readers see it."),
    )
    cited_references = models.ManyToManyField(
        "references.Reference", related_name="citing_revisions", blank=True
    )
    content_hash = models.CharField(_("content hash"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        help_text=_("Empty when the system saved it, e.g. after a reference edit."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    # Part of the reviewed content (and of the hash, when set): an update of a
    # live page says what kind of change it is, and a correction what it fixed.
    change_class = models.CharField(
        _("kind of change"), max_length=12, choices=ChangeClass, blank=True
    )
    correction_note = models.CharField(
        _("correction note"), max_length=CORRECTION_NOTE_LIMIT, blank=True
    )

    class Meta:
        ordering = ["article", "-number"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "number"], name="articles_revision_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(content_hash__regex=r"^[0-9a-f]{64}$"),
                name="articles_revision_hash_is_sha256",
            ),
            models.CheckConstraint(
                condition=models.Q(change_class__in=["", *ChangeClass.values]),
                name="articles_revision_known_change_class",
            ),
            # A correction has its note; nothing else has one.
            models.CheckConstraint(
                condition=models.Q(change_class="correction")
                & ~models.Q(correction_note="")
                | ~models.Q(change_class="correction") & models.Q(correction_note=""),
                name="articles_revision_correction_has_note",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} r{self.number}: {self.title}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Revisions are immutable; save a new one instead.")
        super().save(*args, **kwargs)

    @property
    def is_correction(self) -> bool:
        return self.change_class == ChangeClass.CORRECTION

    @property
    def display_title(self) -> str:
        return self.seo_title or self.title

    @property
    def authors_shown(self) -> list[dict]:
        """Each frozen byline as readers see it: a label and the profile's URL."""
        return [
            {
                "label": ", ".join(filter(None, [b["name"], b["credentials"]])),
                "url": reverse("articles:contributor", args=[b["slug"]]),
            }
            for b in self.bylines
        ]

    @property
    def byline_text(self) -> str:
        """The bylines as one line per author, for diffs."""
        return "\n".join(author["label"] for author in self.authors_shown)

    @property
    def topic_text(self) -> str:
        return "\n".join(t["name"] for t in self.topic_list)

    def review_interval(self) -> int:
        """Months between full reviews: its own, else the shortest of its topics."""
        if self.review_interval_months:
            return self.review_interval_months
        intervals = self.topics.values_list("review_interval_months", flat=True)
        return min(intervals, default=DEFAULT_REVIEW_INTERVAL_MONTHS)


class Review(SignOffProof):
    """An immutable decision on one revision, with how its reviewer proved
    who they were."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")

    revision = models.ForeignKey(
        Revision, on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=20, choices=Decision)
    comment = models.TextField(_("comment"), blank=True)
    full_review = models.BooleanField(
        _("full clinical review"),
        default=True,
        help_text=_(
            "A full review checks the whole page and moves “last reviewed”; "
            "otherwise only the change was reviewed."
        ),
    )
    content_hash = models.CharField(_("approved content hash"), max_length=64)
    change_class = models.CharField(
        _("kind of change, as confirmed"),
        max_length=12,
        choices=ChangeClass,
        blank=True,
        help_text=_("The writer's class, confirmed by the reviewer at approval."),
    )
    reviewer_name = models.CharField(max_length=150)
    reviewer_credentials = models.CharField(max_length=150, blank=True)
    # The clinical checklist as the reviewer ticked it: {item key: True/False},
    # items from settings.HEALTH_REVIEW_CHECKLIST at the time of the review.
    checklist = models.JSONField(_("clinical checklist"), default=dict, blank=True)
    # Competing interests, declared per review; shown next to the reviewer's
    # name on the public page. Reviews from before declarations existed have
    # interests_declared False and show nothing.
    interests_declared = models.BooleanField(default=False)
    competing_interests = models.TextField(
        _("competing interests"),
        blank=True,
        validators=[MaxLengthValidator(2000)],
        help_text=_("Leave empty to declare none."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision__in=["approved", "changes_requested"]),
                name="articles_review_known_decision",
            ),
            models.CheckConstraint(
                condition=~models.Q(decision="approved")
                | ~models.Q(reviewer_credentials=""),
                name="articles_review_approval_needs_credentials",
            ),
            models.CheckConstraint(
                condition=~models.Q(decision="changes_requested")
                | ~models.Q(comment=""),
                name="articles_review_changes_need_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.reviewer_name}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Reviews are immutable.")
        super().save(*args, **kwargs)

    @property
    def reviewer_byline(self) -> str:
        if self.reviewer_credentials:
            return f"{self.reviewer_name}, {self.reviewer_credentials}"
        return self.reviewer_name
