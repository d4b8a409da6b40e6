"""The desk's own records: comments on the text, and notifications in the admin."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReviewComment(models.Model):
    """A comment anchored to a passage of one revision's text.

    The anchor is the quoted passage with a little text on either side, so the
    comment can be found again in later revisions (or shown as "passage
    changed" when the writer rewrote it).
    """

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="comments"
    )
    revision = models.ForeignKey(
        "articles.Revision", on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    quote = models.TextField(_("quoted passage"), validators=[MaxLengthValidator(1000)])
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    body = models.TextField(_("comment"), validators=[MaxLengthValidator(5000)])
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The decision whose summary listed this comment while it was open.
    review = models.ForeignKey(
        "articles.Review",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")
        indexes = [models.Index(fields=["article", "resolved_at"])]

    def __str__(self) -> str:
        return self.body[:60]

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Notification(models.Model):
    """One line in a user's bell: the same events as the emails."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted for review")
        DECIDED = "decided", _("Review decision")
        APPROVED = "approved", _("Approved, waiting to be published")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REVIEW_WITHDRAWN = "review_withdrawn", _("Review request withdrawn")
        COMMENT = "comment", _("Comment on the text")
        REVIEWS_DUE = "reviews_due", _("Reviews due")
        EVIDENCE = "evidence", _("A cited source has a new notice")
        READER_REPORT = "reader_report", _("A reader reported a problem")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=Kind)
    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return self.message


class NotificationPreference(models.Model):
    """Which kinds of notification a user also wants by email (all by default)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    muted_email_kinds = models.JSONField(
        _("no email for"),
        default=list,
        blank=True,
        help_text=_("Notification kinds that stay in the bell and send no email."),
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)

    def wants_email(self, kind: str) -> bool:
        return kind not in self.muted_email_kinds
