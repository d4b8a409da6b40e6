"""The reference library's models. Import them from here:
`from references.models import Reference`."""

from references.models.evidence import (
    EvidenceCheck,
    EvidenceCheckQuerySet,
    EvidenceFinding,
    EvidenceFindingQuerySet,
    EvidenceSource,
    RetractionWatchRecord,
)
from references.models.journal import JournalAbbreviation
from references.models.pending import (
    PendingImport,
    PendingImportError,
    PendingImportQuerySet,
)
from references.models.reference import Reference, ReferenceQuerySet

__all__ = [
    "EvidenceCheck",
    "EvidenceCheckQuerySet",
    "EvidenceFinding",
    "EvidenceFindingQuerySet",
    "EvidenceSource",
    "RetractionWatchRecord",
    "JournalAbbreviation",
    "PendingImport",
    "PendingImportError",
    "PendingImportQuerySet",
    "Reference",
    "ReferenceQuerySet",
]
