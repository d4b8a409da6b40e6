"""What readers tell us about a page: whether it was useful (daily counts,
nothing about who answered) and the problems they report (triaged in the desk).

Nothing here holds an address, a user agent, a cookie or any reader
identity. A report keeps an email only if the reader asked for a reply, and
only until someone has replied (articles/reader_reports.py).
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

QUOTE_LIMIT = 1000
TEXT_LIMIT = 2000


class PageVotes(models.Model):
    """How many readers answered "Is this page useful?" yes and no, per day."""

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    yes = models.PositiveIntegerField(default=0)
    no = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("usefulness count")
        verbose_name_plural = _("usefulness counts")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "day"], name="articles_pagevotes_one_per_day"
            )
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.article_id} {self.day}: {self.yes} yes, {self.no} no"


class ReaderReportQuerySet(models.QuerySet):
    def open(self) -> "ReaderReportQuerySet":
        return self.filter(
            state__in=[ReaderReport.State.NEW, ReaderReport.State.TRIAGED]
        )

    def confirmed_open(self) -> "ReaderReportQuerySet":
        """Confirmed reports no published revision has answered yet: each asks
        for a re-review of its page."""
        return self.filter(confirmed_at__isnull=False, state=ReaderReport.State.TRIAGED)

    def visible_to(self, user) -> "ReaderReportQuerySet":
        """Reviewers and editors see every report; writers those about the
        articles they author."""
        if user.is_superuser or user.has_perm("articles.change_readerreport"):
            return self
        return self.filter(article__authors__user=user).distinct()


class ReaderReport(models.Model):
    """A problem a reader reported on one revision of a live page."""

    class Category(models.TextChoices):
        INACCURATE = "inaccurate", _("Medically inaccurate")
        OUT_OF_DATE = "out_of_date", _("Out of date")
        HARD_TO_UNDERSTAND = "hard_to_understand", _("Hard to understand")
        BROKEN_LINK = "broken_link", _("Broken link")
        OTHER = "other", _("Something else")

    class State(models.TextChoices):
        NEW = "new", _("New")
        TRIAGED = "triaged", _("Triaged")
        ACTIONED = "actioned", _("Actioned")
        DISMISSED = "dismissed", _("Dismissed")

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="reader_reports"
    )
    revision = models.ForeignKey(
        "articles.Revision",
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("The revision the reader was reading (its content hash)."),
    )
    category = models.CharField(_("what was wrong"), max_length=30, choices=Category)
    quote = models.TextField(
        _("quoted passage"),
        blank=True,
        validators=[MaxLengthValidator(QUOTE_LIMIT)],
        help_text=_("The text the reader selected on the page."),
    )
    text = models.TextField(
        _("what the reader wrote"),
        blank=True,
        validators=[MaxLengthValidator(TEXT_LIMIT)],
    )
    email = models.EmailField(
        _("email for a reply"),
        blank=True,
        help_text=_("Given only to get a reply; deleted once someone has replied."),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State, default=State.NEW
    )
    created_at = models.DateTimeField(_("reported"), default=timezone.now)
    triaged_at = models.DateTimeField(null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(
        _("confirmed"),
        null=True,
        blank=True,
        help_text=_("When someone confirmed it: the page became due for re-review."),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actioned_in = models.ForeignKey(
        "articles.Revision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The published revision that answered it."),
    )
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    staff_note = models.TextField(
        _("note for the team"),
        blank=True,
        validators=[MaxLengthValidator(TEXT_LIMIT)],
    )

    objects = ReaderReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reader report")
        verbose_name_plural = _("reader reports")
        indexes = [
            models.Index(fields=["state", "-created_at"]),
            models.Index(fields=["article", "state"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.article.title}"
