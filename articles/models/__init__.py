"""The editorial models, by family. Import them from here:
`from articles.models import Article`."""

from articles.models.article import (
    SINGLE_LINE_FIELDS,
    Article,
    WorkflowError,
)
from articles.models.audit import AuditEntry
from articles.models.correction import Correction, CorrectionQuerySet
from articles.models.desk import Notification, NotificationPreference, ReviewComment
from articles.models.evidence import EvidenceAlert, EvidenceAlertQuerySet
from articles.models.feedback import PageVotes, ReaderReport, ReaderReportQuerySet
from articles.models.listing import Listing
from articles.models.people import DEFAULT_REVIEW_INTERVAL_MONTHS, Contributor, Topic
from articles.models.preview import PreviewLink, PreviewLinkQuerySet
from articles.models.queries import ArticleQuerySet, cites_retracted
from articles.models.revision import (
    CONTENT_FIELDS,
    CORRECTION_NOTE_LIMIT,
    ChangeClass,
    Review,
    Revision,
    add_months,
    compute_content_hash,
)
from articles.models.search import DailyQuery, Synonym, VocabularyWord

__all__ = [
    "CONTENT_FIELDS",
    "CORRECTION_NOTE_LIMIT",
    "ChangeClass",
    "Correction",
    "CorrectionQuerySet",
    "DEFAULT_REVIEW_INTERVAL_MONTHS",
    "SINGLE_LINE_FIELDS",
    "Article",
    "ArticleQuerySet",
    "AuditEntry",
    "DailyQuery",
    "EvidenceAlert",
    "EvidenceAlertQuerySet",
    "Listing",
    "Notification",
    "PageVotes",
    "ReaderReport",
    "ReaderReportQuerySet",
    "NotificationPreference",
    "Contributor",
    "PreviewLink",
    "PreviewLinkQuerySet",
    "Review",
    "ReviewComment",
    "Revision",
    "Synonym",
    "Topic",
    "VocabularyWord",
    "WorkflowError",
    "add_months",
    "cites_retracted",
    "compute_content_hash",
]
