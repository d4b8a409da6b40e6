"""The reference library's models. Import them from here:
`from references.models import Reference`."""

from references.models.reference import (
    PendingImport,
    PendingImportError,
    PendingImportQuerySet,
    Reference,
    ReferenceQuerySet,
)

__all__ = [
    "PendingImport",
    "PendingImportError",
    "PendingImportQuerySet",
    "Reference",
    "ReferenceQuerySet",
]
