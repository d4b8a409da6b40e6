"""Publishing an approved revision (now or at a time), and withdrawing.

A withdrawal may name a live article that replaces the withdrawn one: its
address then redirects there (301) while the replacement is live, and answers
410 Gone otherwise; so the replacement going live or being withdrawn purges
the cached answers of the articles it replaces.
"""

import datetime
from collections.abc import Iterator

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from articles import notifications, reader_reports
from articles.delivery import page_cache
from articles.delivery.changes import PageChange
from articles.delivery.prepared import clear_live_page, prepare_live_page
from articles.delivery.search_index import index_after_commit
from articles.evidence_alerts import close_answered_alerts
from articles.models import Article, AuditEntry, Review, WorkflowError, add_months
from articles.workflow import corrections
from articles.workflow.sign_off import approval_note, require_proof, scheduling_proof
from articles.workflow.steps import (
    Status,
    lock,
    log,
    preflight_blockers,
    require,
    save_state,
)
from siteconf.mfa.state import SCRIPT, Proof


def _check_publishable(locked: Article) -> Review:
    approval = locked.approval
    require(
        locked.status == Status.APPROVED and approval is not None,
        _("Only an approved revision can be published; this article is %(status)s.")
        % {"status": locked.get_status_display().lower()},
    )
    revision = locked.current_revision
    require(
        approval.revision_id == revision.pk
        and approval.content_hash == revision.content_hash,
        _("The approval no longer matches the content; it needs review again."),
    )
    require(
        bool(approval.proof_method),
        _(
            "This approval was made before second-factor checks, so nothing "
            "proves who made it: submit the article for review again, and "
            "approve it again with a second-factor check."
        ),
    )
    blockers = preflight_blockers(locked, revision)
    require(
        not blockers,
        _("Cannot publish: %(problems)s") % {"problems": " ".join(blockers)},
    )
    return approval


def _replaced_pages(locked: Article) -> PageChange:
    """The withdrawn articles whose address answers with a redirect to this one."""
    return PageChange(article_ids=set(locked.replaces.values_list("pk", flat=True)))


def _check_replacement(locked: Article, replacement: Article | None) -> None:
    if replacement is None:
        return
    require(replacement.pk != locked.pk, _("An article cannot replace itself."))
    require(
        Article.objects.live().filter(pk=replacement.pk).exists(),
        _("“%(title)s” is not live, so it cannot replace a withdrawn article.")
        % {"title": replacement.title},
    )


def _withdrawal_note(reason: str, replacement: Article | None) -> str:
    if replacement is None:
        return reason.strip()
    return _("%(reason)s (replaced by “%(title)s”)") % {
        "reason": reason.strip(),
        "title": replacement.title,
    }


def make_live(
    locked: Article, article: Article, approval: Review, by, proof: Proof | None
) -> None:
    """Point readers at the approved revision. Callers hold the row lock."""
    now = timezone.now()
    previous = locked.status
    locked._moving_live_pointer = True
    locked.live_revision = approval.revision
    locked.live_approval = approval
    locked.status = Status.PUBLISHED
    locked.first_published_at = locked.first_published_at or now
    locked.last_published_at = now
    locked.withdrawn_at = None
    locked.withdrawal_reason = ""
    locked.publish_at = None
    locked.scheduled_approval = None
    if corrections.moves_last_reviewed(approval):
        locked.last_reviewed = timezone.localdate(approval.created_at)
    if locked.last_reviewed is not None:
        locked.next_review_due = add_months(
            locked.last_reviewed, approval.revision.review_interval()
        )
    save_state(
        locked,
        article,
        "live_revision",
        "live_approval",
        "status",
        "first_published_at",
        "last_published_at",
        "withdrawn_at",
        "withdrawal_reason",
        "last_reviewed",
        "next_review_due",
        "publish_at",
        "scheduled_approval",
    )
    locked._moving_live_pointer = False
    locked.publication_history = [
        {
            "date": now.isoformat(),
            "revision": approval.revision.number,
            "note": approval.revision.change_note,
            "full_review": approval.full_review,
            **corrections.record(locked, approval, now),
        },
        *locked.publication_history,
    ]
    save_state(locked, article, "publication_history")
    close_answered_alerts(locked, approval)
    reader_reports.close_answered(locked, approval.revision)
    page_cache.purge(prepare_live_page(locked) | _replaced_pages(locked))
    index_after_commit(locked.pk)
    log(
        locked,
        by,
        AuditEntry.Action.PUBLISH,
        previous,
        approval_note(approval),
        revision=approval.revision,
        proof=proof,
    )
    notifications.published(locked, by)


def publish(
    article: Article,
    by,
    at: datetime.datetime | None = None,
    proof: Proof | None = SCRIPT,
) -> None:
    """Publish the approved revision now, or schedule it for `at`. `proof` is
    how the editor proved who they were (scripts: no second factor)."""
    with transaction.atomic():
        locked = lock(article)
        require(
            by.has_perm("articles.publish_article"),
            _("Only editors can publish articles."),
        )
        approval = _check_publishable(locked)
        proof = require_proof(proof)
        if at is None or at <= timezone.now():
            make_live(locked, article, approval, by, proof)
            return
        require(timezone.is_aware(at), _("Give the go-live time with its timezone."))
        previous = locked.status
        locked.publish_at = at
        locked.scheduled_approval = approval
        locked.scheduled_by = by
        save_state(locked, article, "publish_at", "scheduled_approval", "scheduled_by")
        log(
            locked,
            by,
            AuditEntry.Action.SCHEDULE,
            previous,
            " ".join(
                part
                for part in (
                    _("Goes live at %(at)s.")
                    % {"at": timezone.localtime(at).isoformat()},
                    approval_note(approval),
                )
                if part
            ),
            proof=proof,
        )


def _check_withdrawable(locked: Article, by, reason: str) -> None:
    """What withdrawing, now or later, requires: an editor, a live page, a reason."""
    require(
        by.has_perm("articles.publish_article"),
        _("Only editors can withdraw articles."),
    )
    require(locked.is_live, _("This article is not live."))
    require(
        bool(reason and reason.strip()),
        _("Give a reason for withdrawing the article."),
    )


def schedule_unpublish(
    article: Article,
    by,
    at: datetime.datetime,
    reason: str,
    replaced_by: Article | None = None,
    proof: Proof | None = SCRIPT,
):
    """Withdraw the live page at `at`, with nobody acting."""
    with transaction.atomic():
        locked = lock(article)
        _check_withdrawable(locked, by, reason)
        proof = require_proof(proof)
        _check_replacement(locked, replaced_by)
        require(at > timezone.now(), _("Choose a time in the future."))
        locked.unpublish_at = at
        locked.unpublish_reason = reason.strip()
        locked.scheduled_by = by
        # Only read once the article is withdrawn (articles/public/views.py).
        locked.replaced_by = replaced_by
        save_state(
            locked,
            article,
            "unpublish_at",
            "unpublish_reason",
            "scheduled_by",
            "replaced_by",
        )
        log(
            locked,
            by,
            AuditEntry.Action.SCHEDULE,
            locked.status,
            _("Withdrawal at %(at)s: %(reason)s")
            % {
                "at": timezone.localtime(at).isoformat(),
                "reason": _withdrawal_note(reason, replaced_by),
            },
            proof=proof,
        )


def cancel_schedule(article: Article, by) -> None:
    """Drop any scheduled go-live or withdrawal."""
    with transaction.atomic():
        locked = lock(article)
        require(
            by.has_perm("articles.publish_article"),
            _("Only editors can change the schedule."),
        )
        require(
            locked.publish_at or locked.unpublish_at,
            _("Nothing is scheduled for this article."),
        )
        if locked.unpublish_at is not None:
            locked.replaced_by = None
        locked.publish_at = None
        locked.scheduled_approval = None
        locked.unpublish_at = None
        locked.unpublish_reason = ""
        save_state(
            locked,
            article,
            "publish_at",
            "scheduled_approval",
            "unpublish_at",
            "unpublish_reason",
            "replaced_by",
        )
        log(
            locked,
            by,
            AuditEntry.Action.SCHEDULE,
            locked.status,
            _("Schedule cancelled."),
        )


def _due(field: str, now: datetime.datetime) -> Iterator[tuple[Article, Article]]:
    """Each article whose `field` time has come, locked, each in its own
    transaction; re-checked under the lock, so two schedulers never both act."""
    due = Article.objects.filter(**{f"{field}__lte": now}).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            article = Article.objects.get(pk=pk)
            locked = lock(article)
            when = getattr(locked, field)
            if when is not None and when <= now:
                yield locked, article


def run_due_schedules(now: datetime.datetime | None = None) -> list[str]:
    """Carry out every go-live and withdrawal whose time has come.

    Returns one line per article, for the command's output. A schedule whose
    approval no longer matches is dropped and logged, never published.
    """
    now = now or timezone.now()
    done = []
    for locked, article in _due("publish_at", now):
        try:
            approval = _check_publishable(locked)
            require(
                approval == locked.scheduled_approval,
                _("The scheduled approval is no longer current."),
            )
        except WorkflowError as error:
            locked.publish_at = None
            locked.scheduled_approval = None
            save_state(locked, article, "publish_at", "scheduled_approval")
            log(
                locked,
                locked.scheduled_by,
                AuditEntry.Action.SCHEDULE,
                locked.status,
                _("Scheduled go-live dropped: %(error)s") % {"error": error},
            )
            done.append(f"dropped {locked.slug}: {error}")
            continue
        make_live(
            locked,
            article,
            approval,
            locked.scheduled_by,
            scheduling_proof(locked, locked.scheduled_by),
        )
        done.append(f"published {locked.slug}")
    for locked, article in _due("unpublish_at", now):
        reason = locked.unpublish_reason
        locked.unpublish_at = None
        locked.unpublish_reason = ""
        save_state(locked, article, "unpublish_at", "unpublish_reason")
        if locked.is_live:
            _withdraw(
                locked,
                article,
                locked.scheduled_by,
                reason,
                locked.replaced_by,
                scheduling_proof(locked, locked.scheduled_by),
            )
            done.append(f"withdrew {locked.slug}")
    return done


def unpublish(
    article: Article,
    by,
    reason: str,
    replaced_by: Article | None = None,
    proof: Proof | None = SCRIPT,
) -> None:
    """Withdraw the live page now; `replaced_by`, a live article, takes its
    readers (301) from then on."""
    with transaction.atomic():
        locked = lock(article)
        _check_withdrawable(locked, by, reason)
        proof = require_proof(proof)
        _check_replacement(locked, replaced_by)
        _withdraw(locked, article, by, reason, replaced_by, proof)


def _withdraw(
    locked: Article,
    article: Article,
    by,
    reason: str,
    replaced_by=None,
    proof: Proof | None = None,
) -> None:
    previous = locked.status
    locked._moving_live_pointer = True
    locked.withdrawn_revision_id = locked.live_revision_id
    locked.live_revision = None
    locked.live_approval = None
    locked.status = Status.WITHDRAWN
    locked.approval = None
    locked.withdrawn_at = timezone.now()
    locked.withdrawal_reason = reason.strip()
    locked.unpublish_at = None
    locked.unpublish_reason = ""
    locked.replaced_by = replaced_by
    save_state(
        locked,
        article,
        "live_revision",
        "live_approval",
        "withdrawn_revision",
        "status",
        "approval",
        "withdrawn_at",
        "withdrawal_reason",
        "unpublish_at",
        "unpublish_reason",
        "replaced_by",
    )
    locked._moving_live_pointer = False
    close_answered_alerts(locked)
    page_cache.purge(clear_live_page(locked) | _replaced_pages(locked))
    index_after_commit(locked.pk)
    log(
        locked,
        by,
        AuditEntry.Action.UNPUBLISH,
        previous,
        _withdrawal_note(reason, replaced_by),
        proof=proof,
    )
    notifications.withdrawn(locked, by)
