"""The article: the working copy writers edit, and its publication state."""

import datetime

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from markdownx.models import MarkdownxField

from articles.images import SanitizedImageField
from articles.limits import validate_body
from articles.models import history
from articles.models.article_rules import ARTICLE_CONSTRAINTS, ARTICLE_INDEXES
from articles.models.people import Contributor, Topic
from articles.models.queries import ArticleQuerySet
from articles.models.revision import Review, Revision
from articles.text import normalize_single_line
from siteconf.mfa.state import SCRIPT

# Fields that are one line of text: line breaks in them become spaces on save.
SINGLE_LINE_FIELDS = ("title", "seo_title", "social_image_alt")


class WorkflowError(Exception):
    """A refused transition, with a message a person can act on."""


def _workflow():
    """articles.workflow, which implements the transitions below them.

    Imports go one way, workflow → models, so the model methods (the stable
    API) import it when first called rather than at module level.
    """
    from articles import workflow

    return workflow


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
        # The admin shows help texts as HTML: no angle brackets here.
        help_text=_(
            "The last part of the article's address, as in "
            "/articles/cervical-mucus-fertile-window/: lower-case words joined "
            "by hyphens. Fixed once published."
        ),
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
    # A withdrawn article may name the article that replaces it: its URL then
    # redirects there (301); otherwise it answers 410 Gone.
    replaced_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="replaces",
    )
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
    # What public pages show of the live article, prepared when it goes live
    # (articles/delivery/prepared.py) so that a request only reads it.
    live_card = models.JSONField(default=dict, editable=False)
    # The card lists show, with and without its topics: plain text columns, so
    # a list reads them without decoding JSON.
    live_card_html = models.TextField(blank=True, editable=False)
    live_card_plain_html = models.TextField(blank=True, editable=False)
    live_head_html = models.TextField(blank=True, editable=False)
    live_html = models.TextField(blank=True, editable=False)
    live_etag = models.CharField(max_length=80, blank=True, editable=False)
    page_version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text=_("Bumped when the page changes without a publication of its own."),
    )
    # Denormalized from the live revision at publish time, for search.
    search_text = models.TextField(blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    # Title and summary only: ranking reads this small vector, not the body's.
    search_rank_vector = SearchVectorField(null=True, editable=False)
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
        constraints = ARTICLE_CONSTRAINTS
        indexes = ARTICLE_INDEXES

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
        return history.update_history(self.publication_history)

    @property
    def current_corrections(self) -> list[dict]:
        """The corrections the top of the live page shows, newest first."""
        return history.current_corrections(self.update_history)

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

    def save_revision(
        self, by, note: str = "", change_class=None, correction_note=None
    ) -> "Revision | None":
        """Snapshot the working copy if its content changed.

        `change_class` and `correction_note` classify an update of a live
        page; None keeps those of the pending revision. A change voids any
        approval or pending review of the previous revision.
        """
        return _workflow().save_revision(
            self,
            by=by,
            note=note,
            change_class=change_class,
            correction_note=correction_note,
        )

    # Transitions ---------------------------------------------------------

    def submit_for_review(self, by) -> None:
        """Send the current revision to the medical reviewers."""
        _workflow().submit_for_review(self, by=by)

    # `proof` is how the signer proved who they were (a state.Proof); scripts
    # that leave it out record "no second factor (workflow API)".

    def approve(
        self,
        by,
        comment: str = "",
        full_review: bool = True,
        proof=SCRIPT,
        change_class: str | None = None,
    ) -> "Review":
        """Approve the current revision, binding to its content hash; an
        update of a live page needs its `change_class` confirmed."""
        return _workflow().approve(
            self,
            by=by,
            comment=comment,
            full_review=full_review,
            proof=proof,
            change_class=change_class,
        )

    def request_changes(self, by, comment: str, proof=SCRIPT) -> "Review":
        """Send the article back to its authors with the reviewer's comment."""
        return _workflow().request_changes(self, by=by, comment=comment, proof=proof)

    def publish(self, by, at: datetime.datetime | None = None, proof=SCRIPT) -> None:
        """Put the approved revision online now, or schedule it for `at`."""
        _workflow().publish(self, by=by, at=at, proof=proof)

    def unpublish(self, by, reason: str, proof=SCRIPT) -> None:
        """Withdraw the live page; readers get 410 Gone with a short notice."""
        _workflow().unpublish(self, by=by, reason=reason, proof=proof)
