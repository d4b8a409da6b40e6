"""Re-checking the articles that cite references with a retraction notice.

`import_retractions` records notices on references and sends
`references.signals.notices_changed`; this answers it: it brings the working
copies citing them up to date (a new revision, so they need review again)
and finds the live pages that cite a retracted source. The library-wide
re-check runs as a task, after an import or nightly.
"""

import logging
from collections.abc import Callable

from django.db import transaction
from django.dispatch import receiver

from articles.models import Article
from articles.signals import propagate_reference_change
from references.models import Reference
from references.signals import NoticeReport, notices_changed
from siteconf.background import retrying

logger = logging.getLogger(__name__)

RECHECK_CHUNK = 100


def recheck_citing_articles(
    reference_ids: list[int], progress: Callable[[int], None] | None = None
) -> int:
    """Bring the working copies citing these references up to date with them,
    a chunk of references per transaction; return how many articles changed.

    Safe to repeat: an article already up to date gets no new revision.
    """
    changed = 0
    for start in range(0, len(reference_ids), RECHECK_CHUNK):
        chunk = reference_ids[start : start + RECHECK_CHUNK]
        with transaction.atomic():
            changed += propagate_reference_change(chunk)
        if progress:
            progress(len(chunk))
    return changed


def live_articles_citing_retracted(reference_ids=None):
    """Live articles whose page cites a retracted, withdrawn or removed source
    (of these, if given)."""
    retracted = Reference.objects.retracted()
    if reference_ids is not None:
        retracted = retracted.filter(pk__in=reference_ids)
    return (
        Article.objects.live()
        .filter(live_revision__cited_references__in=retracted)
        .distinct()
    )


@retrying(max_attempts=3)
def recheck_retractions(attempt: int = 1) -> dict:
    """Across the library: re-check every article citing a reference with a
    retraction, correction or concern notice, and log the live ones that
    cite a retracted source. Progress goes to the log."""
    ids = list(
        Reference.objects.exclude(retraction_status="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    logger.info("Retraction re-check: %s reference(s) with a notice.", len(ids))
    done = 0

    def report(count: int) -> None:
        nonlocal done
        done += count
        logger.info("Retraction re-check: %s of %s reference(s).", done, len(ids))

    changed = recheck_citing_articles(ids, progress=report)
    urgent = list(live_articles_citing_retracted().values_list("slug", flat=True))
    for slug in urgent:
        logger.warning("URGENT REVIEW: %s is live and cites a retracted source.", slug)
    logger.info(
        "Retraction re-check done: %s article(s) updated, %s live and urgent.",
        changed,
        len(urgent),
    )
    return {"references": len(ids), "articles_updated": changed, "urgent": urgent}


@receiver(notices_changed, dispatch_uid="articles.recheck_after_notices")
def recheck_after_notices(
    sender,
    reference_ids: list[int],
    retracted_ids: list[int] | None,
    progress: Callable[[int], None] | None = None,
    in_background: bool = False,
    **kwargs,
) -> NoticeReport:
    """Re-check the articles citing references whose notice changed (or queue
    the library-wide re-check), and name the live ones citing a retracted
    source."""
    report = NoticeReport()
    if in_background:
        result = recheck_retractions.enqueue()
        report.lines.append(
            f"The re-check of citing articles is queued (task {result.id}); "
            "a worker runs it and logs its progress."
        )
    else:
        updated = recheck_citing_articles(reference_ids, progress=progress)
        report.lines.append(f"{updated} article(s) updated; they need review again.")
    for article in live_articles_citing_retracted(retracted_ids):
        report.warnings.append(
            f"URGENT REVIEW: “{article.title}” is live and cites a retracted source."
        )
    return report
