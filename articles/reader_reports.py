"""What readers' answers and reports do: the usefulness counts, a report's
path through the desk (new → triaged → actioned, or dismissed), the re-review
a confirmed report asks for, and how long any of it is kept.

The settings dict HEALTH_FEEDBACK overrides DEFAULTS (docs/configuration.md).
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from articles import notifications
from articles.models import Article, PageVotes, ReaderReport, Revision

DEFAULTS = {
    # Reports and counts are deleted this many days after they were made
    # (18 months).
    "RETENTION_DAYS": 548,
    # Reports the article's reviewer and the editors are told about at once.
    "NOTIFY_CATEGORIES": ["inaccurate", "out_of_date"],
    # At most one such notification per article in this many minutes: a
    # burst of reports about one page is one line in the bell, not fifty.
    "NOTIFY_EVERY_MINUTES": 60,
    # Posts from one address (hashed; articles/public/feedback_guard.py).
    "ADDRESS_LIMIT": 10,
    "ADDRESS_WINDOW_SECONDS": 10 * 60,
    "ADDRESS_DAY_LIMIT": 50,
    # Reports about one article from everyone, per hour.
    "ARTICLE_HOUR_LIMIT": 200,
}
State = ReaderReport.State


def setting(name: str):
    return getattr(settings, "HEALTH_FEEDBACK", {}).get(name, DEFAULTS[name])


def count_vote(article_id: int, useful: bool) -> None:
    """One more yes or no for the article today."""
    today = timezone.localdate()
    column = "yes" if useful else "no"
    with transaction.atomic():
        PageVotes.objects.get_or_create(article_id=article_id, day=today)
        PageVotes.objects.filter(article_id=article_id, day=today).update(
            **{column: F(column) + 1}
        )


def file_report(article: Article, revision: Revision, **fields) -> ReaderReport:
    """Store a reader's report; tell the reviewer and the editors when its
    category asks for it (once an hour per article at most)."""
    with transaction.atomic():
        report = ReaderReport.objects.create(
            article=article, revision=revision, **fields
        )
        if report.category in setting("NOTIFY_CATEGORIES"):
            since = timezone.now() - datetime.timedelta(
                minutes=setting("NOTIFY_EVERY_MINUTES")
            )
            told_lately = (
                ReaderReport.objects.filter(
                    article=article,
                    category__in=setting("NOTIFY_CATEGORIES"),
                    created_at__gte=since,
                )
                .exclude(pk=report.pk)
                .exists()
            )
            if not told_lately:
                notifications.reader_reported(report)
    return report


def _move(report: ReaderReport, by, state: str, **changes) -> bool:
    """Set the report's state (and `changes`) unless another hand moved it
    first; True when this call moved it."""
    moved = ReaderReport.objects.filter(
        pk=report.pk, state=report.state, confirmed_at=report.confirmed_at
    ).update(state=state, **changes)
    if moved:
        report.refresh_from_db()
    return bool(moved)


def triage(report: ReaderReport, by) -> bool:
    """Someone has read it and it stays open."""
    if report.state != State.NEW:
        return False
    return _move(report, by, State.TRIAGED, triaged_at=timezone.now(), triaged_by=by)


def confirm(report: ReaderReport, by) -> bool:
    """The report is right: its live page is due for re-review today, and the
    report waits in the reviewer's queue until a revision goes live."""
    if report.state not in (State.NEW, State.TRIAGED) or report.confirmed_at:
        return False
    now = timezone.now()
    with transaction.atomic():
        article = Article.objects.select_for_update(of=("self",)).get(
            pk=report.article_id
        )
        moved = _move(
            report,
            by,
            State.TRIAGED,
            triaged_at=report.triaged_at or now,
            triaged_by=report.triaged_by or by,
            confirmed_at=now,
            confirmed_by=by,
        )
        if not moved:
            return False
        today = timezone.localdate(now)
        if article.is_live and (
            article.next_review_due is None or article.next_review_due > today
        ):
            Article.objects.filter(pk=article.pk).update(next_review_due=today)
    return True


def _close(report: ReaderReport, by, state: str) -> bool:
    """Close an open report as `state`, recording who triaged it if nobody had."""
    if report.state not in (State.NEW, State.TRIAGED):
        return False
    return _move(
        report,
        by,
        state,
        triaged_at=report.triaged_at or timezone.now(),
        triaged_by=report.triaged_by or by,
    )


def dismiss(report: ReaderReport, by) -> bool:
    return _close(report, by, State.DISMISSED)


def mark_actioned(report: ReaderReport, by) -> bool:
    """Fixed by hand (for a change that needed no new revision, such as a
    link that works again)."""
    return _close(report, by, State.ACTIONED)


def mark_replied(report: ReaderReport, by) -> bool:
    """Someone replied to the reader: the address is deleted now."""
    if not report.email:
        return False
    ReaderReport.objects.filter(pk=report.pk).update(
        email="", replied_at=timezone.now()
    )
    report.refresh_from_db()
    return True


def close_answered(article: Article, revision: Revision) -> int:
    """A new revision of the article went live: its confirmed reports are
    actioned by it. Called by the publication, inside its transaction."""
    return (
        ReaderReport.objects.confirmed_open()
        .filter(article=article)
        .exclude(revision=revision)
        .update(state=State.ACTIONED, actioned_in=revision)
    )


def rereviews_for(user):
    """Confirmed reports waiting for this reviewer: those about pages they
    approved, and those whose reviewer has left (anyone's)."""
    return (
        ReaderReport.objects.confirmed_open()
        .filter(article__live_revision__isnull=False)
        .filter(
            Q(article__live_approval__reviewer=user)
            | Q(article__live_approval__reviewer__is_active=False)
        )
    )


def prune(now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete reports and counts older than the retention period."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=setting("RETENTION_DAYS"))
    reports, _ = ReaderReport.objects.filter(created_at__lt=cutoff).delete()
    votes, _ = PageVotes.objects.filter(day__lt=timezone.localdate(cutoff)).delete()
    return {"reports": reports, "counts": votes}
