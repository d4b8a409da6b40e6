"""Background work on the reference library: large imports confirmed in the admin.

The task records its progress and outcome on the PendingImport row, which
only the uploader's status page reads. Its own arguments, result and
traceback, which editors can read in the task results, hold ids and counts.
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from references.importers import ImportFormatError, parse
from references.library import apply_import, plan_import
from references.models import PendingImport
from siteconf.background import retrying

logger = logging.getLogger(__name__)
Status = PendingImport.Status


class ImportRefused(Exception):
    """A file that cannot be imported as it stands. The uploader's status page
    says why; the task result says only where (record, line and field), never
    the file's text."""


def _record_failure(error: Exception, pending_id: int, attempt: int = 1) -> None:
    if isinstance(error, ImportRefused):
        return  # recorded, with its reason, where it was raised
    message = _("The import failed (%(error)s). Nothing was imported; try again.") % {
        "error": f"{type(error).__name__}: {error}"
    }
    PendingImport.objects.filter(pk=pending_id).update(
        status=Status.FAILED, message=message, finished_at=timezone.now()
    )


@retrying(max_attempts=3, give_up_on=(ImportRefused,), on_give_up=_record_failure)
def import_pending(pending_id: int, attempt: int = 1) -> dict:
    """Import a confirmed upload all or nothing, recording progress on its row.

    Safe to repeat: a finished import is never imported again, and a run that
    stopped half-way saved nothing (the references are written in one
    transaction, with the row marked done).
    """
    pending = PendingImport.objects.filter(pk=pending_id).first()
    if pending is None or not pending.in_progress:
        return {"skipped": pending.status if pending else "missing"}
    pending.record(status=Status.RUNNING, processed=0, message="")
    try:
        records = parse(pending.text, pending.format or None)
        pending.record(total=len(records))

        def checked(count: int) -> None:
            pending.record(processed=pending.processed + count)

        plan = plan_import(records, progress=checked)
        pending.record(
            message=_("Saving %(n)s new reference(s)…") % {"n": len(plan.new)}
        )
        with transaction.atomic():
            locked = PendingImport.objects.select_for_update().get(pk=pending_id)
            if locked.status != Status.RUNNING:
                return {"skipped": locked.status}
            created = apply_import(plan)
            locked.record(
                status=Status.DONE,
                processed=len(records),
                message=_("Imported %(n)s reference(s); %(d)s duplicate(s) skipped.")
                % {"n": len(created), "d": len(plan.duplicates)},
                finished_at=timezone.now(),
                text="",
            )
    except ImportFormatError as error:
        pending.record(
            status=Status.FAILED,
            message=_("%(error)s Nothing was imported.") % {"error": error},
            finished_at=timezone.now(),
        )
        raise ImportRefused(
            f"Import {pending_id}: record {error.record}, line {error.line}, "
            f"field {error.field}."
        ) from None
    except Exception as error:
        pending.record(
            status=Status.QUEUED,
            message=_("Attempt %(n)s failed (%(error)s); it will be retried.")
            % {"n": attempt, "error": f"{type(error).__name__}: {error}"},
        )
        raise
    logger.info("Import %s: %s reference(s) created.", pending_id, len(created))
    return {"created": len(created), "duplicates": len(plan.duplicates)}


def _check_evidence(source: str, **options) -> dict:
    from references.evidence.checks import Request, run_check

    report = run_check(Request(source, **options), in_background=True)
    check = report.check
    return {
        "check": check.pk,
        "checked": check.checked,
        "findings": check.findings,
        "changed": len(report.changed),
    }


@retrying(max_attempts=4)
def check_crossref_updates(attempt: int = 1) -> dict:
    """Nightly: the notices Crossref indexed since the last sweep."""
    return _check_evidence("crossref-incremental")


@retrying(max_attempts=4)
def check_crossref_works(attempt: int = 1) -> dict:
    """Daily: today's seventh of the cited DOIs' `updated-by` (all in a week)."""
    return _check_evidence("crossref-full")


@retrying(max_attempts=4)
def check_pubmed(attempt: int = 1) -> dict:
    """Nightly: PubMed's notices on the references with a PMID and no DOI."""
    return _check_evidence("pubmed")


@retrying(max_attempts=4)
def check_retraction_watch(attempt: int = 1) -> dict:
    """Daily: the Retraction Watch CSV's new and changed records."""
    return _check_evidence("csv")


@retrying(max_attempts=3)
def check_links(attempt: int = 1) -> dict:
    """Monthly: the cited URLs of references without a DOI."""
    return _check_evidence("links")


EVIDENCE_TASKS = {
    "crossref-incremental": check_crossref_updates,
    "crossref-full": check_crossref_works,
    "pubmed": check_pubmed,
    "csv": check_retraction_watch,
    "links": check_links,
}
