"""The reference library's models. Import them from here:
`from references.models import Reference`."""

from references.models.journal import JournalAbbreviation
from references.models.pending import (
    PendingImport,
    PendingImportError,
    PendingImportQuerySet,
)
from references.models.reference import Reference, ReferenceQuerySet

__all__ = [
    "JournalAbbreviation",
    "PendingImport",
    "PendingImportError",
    "PendingImportQuerySet",
    "Reference",
    "ReferenceQuerySet",
]
