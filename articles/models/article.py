import datetime
import hashlib
import json

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField

from articles.images import SanitizedImageField
from articles.limits import validate_body
from articles.text import normalize_single_line

DEFAULT_REVIEW_INTERVAL_MONTHS = 36


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


class Topic(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    review_interval_months = models.PositiveSmallIntegerField(
        _("review interval (months)"),
        default=DEFAULT_REVIEW_INTERVAL_MONTHS,
        help_text=_("How often articles in this topic need a full clinical review."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        normalize_single_line(self, ["name"])
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("articles:topic", args=[self.slug])


class Contributor(models.Model):
    """The public profile of a writer or reviewer; bylines link to it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contributor",
    )
    display_name = models.CharField(_("display name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    credentials = models.CharField(
        _("credentials"),
        max_length=150,
        blank=True,
        help_text=_('Post-nominals as readers should see them, e.g. "MD, FACOG".'),
    )
    specialty = models.CharField(_("specialty"), max_length=150, blank=True)
    registration = models.CharField(
        _("professional registration"),
        max_length=200,
        blank=True,
        help_text=_("e.g. GMC 1234567 or NPI 1234567890."),
    )
    bio = models.TextField(
        _("biography"), blank=True, validators=[MaxLengthValidator(5000)]
    )
    photo = SanitizedImageField(_("photo"), upload_to="contributors/", blank=True)

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("contributor")
        verbose_name_plural = _("contributors")

    def __str__(self) -> str:
        return self.byline

    def save(self, *args, **kwargs) -> None:
        normalize_single_line(
            self, ["display_name", "credentials", "specialty", "registration"]
        )
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("articles:contributor", args=[self.slug])

    def as_byline(self) -> dict:
        """The byline as a revision freezes it: what readers see of an author."""
        return {
            "id": self.pk,
            "name": self.display_name,
            "credentials": self.credentials,
            "slug": self.slug,
        }

    @property
    def byline(self) -> str:
        if self.credentials:
            return f"{self.display_name}, {self.credentials}"
        return self.display_name

    @property
    def is_credentialed(self) -> bool:
        return bool(self.credentials.strip())


def cites_retracted(revision_field: str = "live_revision") -> models.Exists:
    """True where the revision named by `revision_field` cites a retracted source."""
    return models.Exists(
        Revision.cited_references.through.objects.filter(
            revision=models.OuterRef(revision_field),
            reference__retraction_status="retraction",
        )
    )


class ArticleQuerySet(models.QuerySet):
    def live(self) -> "ArticleQuerySet":
        """Articles readers can see: those with an approved revision online."""
        return self.filter(live_revision__isnull=False)

    def review_overdue(self, today: datetime.date | None = None) -> "ArticleQuerySet":
        """Live articles whose next full review date has passed."""
        today = today or timezone.localdate()
        return self.live().filter(next_review_due__lt=today)

    def review_due_within(
        self, days: int, today: datetime.date | None = None
    ) -> "ArticleQuerySet":
        """Live articles due for review in the next `days` days."""
        today = today or timezone.localdate()
        return self.live().filter(
            next_review_due__gte=today,
            next_review_due__lte=today + datetime.timedelta(days=days),
        )

    def citing_retracted(self, revision_field="live_revision") -> "ArticleQuerySet":
        """Articles whose live (or other named) revision cites a retracted source."""
        return self.filter(cites_retracted(revision_field))

    def scheduled(self) -> "ArticleQuerySet":
        """Articles with a go-live or a withdrawal waiting for its time."""
        return self.filter(
            models.Q(publish_at__isnull=False) | models.Q(unpublish_at__isnull=False)
        )

    def in_review(self) -> "ArticleQuerySet":
        """Articles waiting for a reviewer's decision."""
        return self.filter(status=Article.Status.IN_REVIEW)

    def awaiting_review_by(self, user) -> "ArticleQuerySet":
        """Articles in review that `user` may decide on (not their own)."""
        return (
            self.in_review()
            .exclude(authors__user=user)
            .exclude(current_revision__created_by=user)
        )

    def editable_by(self, user) -> "ArticleQuerySet":
        """Articles `user` may change: editors any, writers their own."""
        if user.is_superuser or user.has_perm("articles.publish_article"):
            return self
        return self.filter(authors__user=user).distinct()

    def with_public_relations(self) -> "ArticleQuerySet":
        """Prefetch what a public page shows, in a fixed number of queries."""
        return self.select_related(
            "live_revision",
            "live_approval__reviewer__contributor",
        ).prefetch_related("authors", "topics")


class Article(models.Model):
    """The working copy that writers edit. Readers see `live_revision`."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Audience(models.TextChoices):
        PATIENT = "patient", _("Patients and the public")
        CLINICIAN = "clinician", _("Clinicians")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        help_text=_("The address: /articles/<slug>/. Fixed once published."),
    )
    summary = models.TextField(
        _("summary"),
        blank=True,
        help_text=_("The standfirst: one or two sentences under the title."),
        validators=[MaxLengthValidator(1000)],
    )
    body = MarkdownxField(
        _("body"),
        blank=True,
        validators=[validate_body],
        help_text=_(
            "Markdown. Cite sources as [@citationkey], [@doi:10.x/y] or "
            "[@pmid:12345678]; group them as [@a2020; @b2019]."
        ),
    )
    topics = models.ManyToManyField(
        Topic, verbose_name=_("topics"), related_name="articles", blank=True
    )
    authors = models.ManyToManyField(
        Contributor,
        verbose_name=_("authors"),
        related_name="authored_articles",
        blank=True,
    )
    references = models.ManyToManyField(
        "references.Reference",
        verbose_name=_("attached references"),
        related_name="articles",
        blank=True,
        help_text=_("Cited references are attached automatically on save."),
    )
    seo_title = models.CharField(
        _("SEO title"),
        max_length=200,
        blank=True,
        help_text=_("About 60 characters. Falls back to the title."),
    )
    meta_description = models.TextField(
        _("meta description"),
        blank=True,
        help_text=_("120–160 characters; search engines show it under the title."),
        validators=[MaxLengthValidator(500)],
    )
    social_image = SanitizedImageField(
        _("social image"), upload_to="social/", blank=True
    )
    social_image_alt = models.CharField(
        _("social image alt text"), max_length=300, blank=True
    )
    medical_audience = models.CharField(
        _("medical audience"),
        max_length=20,
        choices=Audience.choices,
        default=Audience.PATIENT,
    )
    disclosures = models.TextField(
        _("disclosures"),
        blank=True,
        help_text=_("Conflicts of interest and sponsorship, shown to readers."),
        validators=[MaxLengthValidator(5000)],
    )
    review_interval_months = models.PositiveSmallIntegerField(
        _("review interval (months)"),
        null=True,
        blank=True,
        help_text=_("Leave blank to use the shortest interval of its topics."),
    )

    # Workflow state: never edited through forms, only by the transitions.
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=Status.choices,
        default=Status.DRAFT,
        editable=False,
    )
    current_revision = models.ForeignKey(
        "Revision",
        on_delete=models.RESTRICT,
        null=True,
        editable=False,
        related_name="+",
    )
    approval = models.ForeignKey(
        "Review",
        on_delete=models.RESTRICT,
        null=True,
        editable=False,
        related_name="+",
        help_text=_("The approval of the current revision, while it stands."),
    )
    live_revision = models.ForeignKey(
        "Revision",
        on_delete=models.RESTRICT,
        null=True,
        editable=False,
        related_name="+",
    )
    live_approval = models.ForeignKey(
        "Review",
        on_delete=models.RESTRICT,
        null=True,
        editable=False,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    first_published_at = models.DateTimeField(null=True, editable=False)
    last_published_at = models.DateTimeField(null=True, editable=False)
    last_reviewed = models.DateField(
        _("last reviewed"),
        null=True,
        editable=False,
        help_text=_("Date of the last full clinical review of the live page."),
    )
    next_review_due = models.DateField(
        _("next review due"),
        null=True,
        editable=False,
        help_text=_("Last full review plus the review interval."),
    )
    withdrawn_at = models.DateTimeField(null=True, editable=False)
    withdrawn_revision = models.ForeignKey(
        "Revision",
        on_delete=models.RESTRICT,
        null=True,
        editable=False,
        related_name="+",
        help_text=_("The revision that was live when the article was withdrawn."),
    )
    withdrawal_reason = models.TextField(blank=True, editable=False)
    publish_at = models.DateTimeField(_("scheduled go-live"), null=True, editable=False)
    scheduled_approval = models.ForeignKey(
        "Review",
        on_delete=models.RESTRICT,
        null=True,
        editable=False,
        related_name="+",
    )
    unpublish_at = models.DateTimeField(
        _("scheduled withdrawal"), null=True, editable=False
    )
    unpublish_reason = models.TextField(blank=True, editable=False)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )
    publication_history = models.JSONField(
        default=list,
        editable=False,
        help_text=_("Date, revision and note of every publication, for readers."),
    )
    # Denormalized from the live revision at publish time, for search.
    search_text = models.TextField(blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    # Optimistic locking: every admin save bumps the version, and a form
    # opened on an older version is refused.
    edit_version = models.PositiveIntegerField(default=0, editable=False)
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        related_name="+",
    )
    last_edited_at = models.DateTimeField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        permissions = [
            ("review_article", _("Can approve or request changes to articles")),
            ("publish_article", _("Can publish and withdraw articles")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    live_revision__isnull=True, live_approval__isnull=True
                )
                | models.Q(live_revision__isnull=False, live_approval__isnull=False),
                name="articles_article_live_needs_approval",
                violation_error_message=_(
                    "A live revision needs the approval that allowed it."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="published")
                | models.Q(live_revision__isnull=False),
                name="articles_article_published_has_live_revision",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="approved")
                | models.Q(approval__isnull=False),
                name="articles_article_approved_has_approval",
            ),
            models.CheckConstraint(
                condition=models.Q(publish_at__isnull=True)
                | models.Q(scheduled_approval__isnull=False),
                name="articles_article_schedule_needs_approval",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-updated_at"]),
            models.Index(fields=["next_review_due"]),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        normalize_single_line(self, SINGLE_LINE_FIELDS)
        # Only the publish and unpublish transitions may move the live pointer;
        # the database trigger backs this for queryset updates and raw SQL.
        stored = getattr(self, "_stored_live", (None, None))
        if (self.live_revision_id, self.live_approval_id) != stored and not getattr(
            self, "_moving_live_pointer", False
        ):
            from articles.workflow import WorkflowError

            raise WorkflowError(
                _("Use publish() or unpublish() to change what readers see.")
            )
        super().save(*args, **kwargs)
        self._stored_live = (self.live_revision_id, self.live_approval_id)

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", args=[self.slug])

    @classmethod
    def from_db(cls, db, field_names, values, *args, **kwargs):
        instance = super().from_db(db, field_names, values, *args, **kwargs)
        instance._stored_live = (
            instance.__dict__.get("live_revision_id"),
            instance.__dict__.get("live_approval_id"),
        )
        return instance

    # Review dates ------------------------------------------------------

    def last_approved_revision(self) -> "Revision | None":
        """The most recently approved revision (the live one at the latest)."""
        review = (
            Review.objects.filter(revision__article=self, decision="approved")
            .select_related("revision")
            .order_by("-created_at")
            .first()
        )
        return review.revision if review else None

    @property
    def update_history(self) -> list[dict]:
        """Published versions, newest first, with what changed, for readers."""
        entries = []
        count = len(self.publication_history)
        for index, entry in enumerate(self.publication_history):
            first = index == count - 1
            entries.append(
                {
                    "date": datetime.datetime.fromisoformat(entry["date"]),
                    "note": _("First published") if first else entry["note"],
                    "full_review": entry["full_review"],
                }
            )
        return entries

    @property
    def is_live(self) -> bool:
        return self.live_revision_id is not None

    @property
    def has_unpublished_changes(self) -> bool:
        return self.is_live and self.current_revision_id != self.live_revision_id

    # Editing -------------------------------------------------------------

    def can_edit(self, user) -> bool:
        """Editors may change any article; writers only those they author."""
        if not user.is_active:
            return False
        if user.is_superuser or user.has_perm("articles.publish_article"):
            return True
        if not user.has_perm("articles.change_article"):
            return False
        if self.pk is None:
            return True
        return self.authors.filter(user=user).exists()

    def save_revision(self, by, note: str = "") -> "Revision | None":
        """Snapshot the working copy if its content changed.

        A change voids any approval or pending review of the previous revision.
        """
        from articles.workflow import save_revision

        return save_revision(self, by=by, note=note)

    # Transitions ---------------------------------------------------------

    def submit_for_review(self, by) -> None:
        """Send the current revision to the medical reviewers."""
        from articles.workflow import submit_for_review

        submit_for_review(self, by=by)

    def approve(self, by, comment: str = "", full_review: bool = True) -> "Review":
        """Approve the current revision, binding to its content hash."""
        from articles.workflow import approve

        return approve(self, by=by, comment=comment, full_review=full_review)

    def request_changes(self, by, comment: str) -> "Review":
        """Send the article back to its authors with the reviewer's comment."""
        from articles.workflow import request_changes

        return request_changes(self, by=by, comment=comment)

    def publish(self, by, at: datetime.datetime | None = None) -> None:
        """Put the approved revision online now, or schedule it for `at`."""
        from articles.workflow import publish

        publish(self, by=by, at=at)

    def unpublish(self, by, reason: str) -> None:
        """Withdraw the live page; readers get 410 Gone with a short notice."""
        from articles.workflow import unpublish

        unpublish(self, by=by, reason=reason)


# Fields that are one line of text: line breaks in them become spaces on save.
SINGLE_LINE_FIELDS = ("title", "seo_title", "social_image_alt")

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


class Revision(models.Model):
    """An immutable snapshot of an article's content and its cited references."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="revisions"
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
        ]

    def __str__(self) -> str:
        return f"{self.article_id} r{self.number}: {self.title}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Revisions are immutable; save a new one instead.")
        super().save(*args, **kwargs)

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


class Review(models.Model):
    """An immutable decision on one revision."""

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
    reviewer_name = models.CharField(max_length=150)
    reviewer_credentials = models.CharField(max_length=150, blank=True)
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


class AuditEntry(models.Model):
    """One line of the append-only log of workflow transitions."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        SUBMIT = "submit", _("Submitted for review")
        APPROVE = "approve", _("Approved")
        REQUEST_CHANGES = "request_changes", _("Changes requested")
        PUBLISH = "publish", _("Published")
        SCHEDULE = "schedule", _("Scheduled")
        UNPUBLISH = "unpublish", _("Withdrawn")
        RESTORE = "restore", _("Restored an old revision")
        APPROVAL_VOIDED = "approval_voided", _("Approval voided by an edit")
        REVIEW_VOIDED = "review_voided", _("Pending review voided by an edit")

    # No database foreign key on purpose: the log outlives deleted articles.
    article = models.ForeignKey(
        Article,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="audit_entries",
    )
    revision = models.ForeignKey(
        Revision,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(max_length=30, choices=Action)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_action_display()}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The audit log is append-only.")


class PreviewLinkQuerySet(models.QuerySet):
    def active(self) -> "PreviewLinkQuerySet":
        """Links that are neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class PreviewLink(models.Model):
    """A signed, expiring, revocable read-only link to one revision."""

    DEFAULT_DAYS = 7

    revision = models.ForeignKey(
        Revision, on_delete=models.CASCADE, related_name="preview_links"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("shared with"), max_length=200, blank=True)

    objects = PreviewLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("preview link")
        verbose_name_plural = _("preview links")

    def __str__(self) -> str:
        return f"Preview of {self.revision}"

    def get_absolute_url(self) -> str:
        return reverse("articles:preview", args=[self.token])

    @property
    def token(self) -> str:
        from django.core import signing

        return signing.dumps({"link": self.pk}, salt="articles.preview")

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
