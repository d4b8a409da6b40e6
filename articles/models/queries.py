"""What the site asks of many articles at once: `Article.objects.live()` and
the other filters the admin, the dashboard and the public pages compose."""

import datetime

from django.db import models
from django.utils import timezone

from articles.evidence_policy import BLOCK, kinds_with
from articles.models.revision import Revision


def cites_retracted(revision_field: str = "live_revision") -> models.Exists:
    """True where the revision named by `revision_field` cites a source whose
    notice blocks citing it (retracted, withdrawn, removed: the policy's
    `block` kinds)."""
    return models.Exists(
        Revision.cited_references.through.objects.filter(
            revision=models.OuterRef(revision_field),
            reference__retraction_status__in=kinds_with(BLOCK),
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

    def rereview_now(self) -> "ArticleQuerySet":
        """Live articles whose cited source has a notice that asks for a
        re-review, not yet answered by one (articles/evidence_alerts.py)."""
        return self.live().filter(
            pk__in=models.Subquery(
                self.model.evidence_alerts.rel.related_model.objects.due().values(
                    "article"
                )
            )
        )

    def scheduled(self) -> "ArticleQuerySet":
        """Articles with a go-live or a withdrawal waiting for its time."""
        return self.filter(
            models.Q(publish_at__isnull=False) | models.Q(unpublish_at__isnull=False)
        )

    def in_review(self) -> "ArticleQuerySet":
        """Articles waiting for a reviewer's decision."""
        return self.filter(status=self.model.Status.IN_REVIEW)

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
