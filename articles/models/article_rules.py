"""The article table's check constraints and indexes (kept beside the model's
fields in articles/models/article.py; db_rules.py adds the triggers)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

ARTICLE_CONSTRAINTS = [
    models.CheckConstraint(
        condition=models.Q(live_revision__isnull=True, live_approval__isnull=True)
        | models.Q(live_revision__isnull=False, live_approval__isnull=False),
        name="articles_article_live_needs_approval",
        violation_error_message=_(
            "A live revision needs the approval that allowed it."
        ),
    ),
    models.CheckConstraint(
        condition=~models.Q(status="published") | models.Q(live_revision__isnull=False),
        name="articles_article_published_has_live_revision",
    ),
    models.CheckConstraint(
        condition=~models.Q(status="approved") | models.Q(approval__isnull=False),
        name="articles_article_approved_has_approval",
    ),
    models.CheckConstraint(
        condition=models.Q(publish_at__isnull=True)
        | models.Q(scheduled_approval__isnull=False),
        name="articles_article_schedule_needs_approval",
    ),
]
ARTICLE_INDEXES = [
    models.Index(fields=["status", "-updated_at"]),
    models.Index(fields=["next_review_due"]),
    # The desk's article list, newest change first (the admin adds -id).
    models.Index(fields=["-updated_at", "-id"], name="articles_article_changed"),
    # Search takes the newest matches first (articles/public/search.py).
    models.Index(
        fields=["-last_published_at"],
        condition=models.Q(live_revision__isnull=False),
        name="articles_article_live_newest",
    ),
]
