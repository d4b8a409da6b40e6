"""Where each live article is listed, kept in sorted order at publish time."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Listing(models.Model):
    """One place a live article is listed: the latest articles, the recently
    reviewed, a topic, a contributor (as author or reviewer), or another
    article's related articles. Written when an article goes live or is
    withdrawn, so that every list page reads one short range of an index
    instead of sorting every live article."""

    class Kind(models.TextChoices):
        LATEST = "latest", _("Latest")
        REVIEWED = "reviewed", _("Recently reviewed")
        TOPIC = "topic", _("Topic")
        CONTRIBUTOR = "contributor", _("Contributor")
        RELATED = "related", _("Related to an article")

    kind = models.CharField(max_length=12, choices=Kind)
    key = models.BigIntegerField(
        default=0,
        help_text=_("The topic, contributor or article listed under; 0 for the site."),
    )
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="listings"
    )
    sort_at = models.DateTimeField()

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key", "article"], name="articles_listing_once"
            ),
        ]
        indexes = [
            # Lists read newest first, ties broken by the newer article.
            models.Index(
                fields=["kind", "key", "-sort_at", "-article"],
                name="articles_listing_newest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}: article {self.article_id}"
