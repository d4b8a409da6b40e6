"""The editorial models. Import them from here: `from articles.models import Article`."""

from articles.models.article import (
    CONTENT_FIELDS,
    DEFAULT_REVIEW_INTERVAL_MONTHS,
    SINGLE_LINE_FIELDS,
    Article,
    ArticleQuerySet,
    AuditEntry,
    Contributor,
    PreviewLink,
    PreviewLinkQuerySet,
    Review,
    Revision,
    Topic,
    add_months,
    cites_retracted,
    compute_content_hash,
)

__all__ = [
    "CONTENT_FIELDS",
    "DEFAULT_REVIEW_INTERVAL_MONTHS",
    "SINGLE_LINE_FIELDS",
    "Article",
    "ArticleQuerySet",
    "AuditEntry",
    "Contributor",
    "PreviewLink",
    "PreviewLinkQuerySet",
    "Review",
    "Revision",
    "Topic",
    "add_months",
    "cites_retracted",
    "compute_content_hash",
]
