"""The workflow transitions. `Article` methods are the public entry points.

Each transition checks, in order, the current state, the permission and the
separation of duty, then writes in one transaction with the article row
locked, and appends to the audit log. A refusal raises `WorkflowError`.
"""

import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from articles import notifications
from articles.models import (
    CONTENT_FIELDS,
    SINGLE_LINE_FIELDS,
    Article,
    AuditEntry,
    Review,
    Revision,
    WorkflowError,
    add_months,
    compute_content_hash,
)
from articles.rendering import render
from articles.search import index_live_revision
from articles.text import normalize_single_line, single_line

Status = Article.Status


def _lock(article: Article) -> Article:
    """Re-read the article under a row lock and refresh the caller's copy."""
    locked = Article.objects.select_for_update().get(pk=article.pk)
    for field in Article._meta.concrete_fields:
        setattr(article, field.attname, getattr(locked, field.attname))
    article._stored_live = (locked.live_revision_id, locked.live_approval_id)
    return locked


def _log(article, actor, action, from_status, message="", revision=None) -> None:
    AuditEntry.objects.create(
        article_id=article.pk,
        revision_id=revision.pk if revision else article.current_revision_id,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=article.status,
        message=message,
    )


def _save_state(locked: Article, article: Article, *fields: str) -> None:
    locked.save(update_fields=[*fields, "updated_at"])
    for name in (*fields, "updated_at"):
        field = Article._meta.get_field(name)
        setattr(article, field.attname, getattr(locked, field.attname))
    article._stored_live = locked._stored_live


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise WorkflowError(message)


def _preflight_blockers(article: Article, revision: Revision) -> list[str]:
    from articles.preflight import run_checks

    return [c.message for c in run_checks(article, revision) if c.blocking]


def snapshot(article: Article) -> dict:
    """Everything readers would see of the working copy, rendered, with its hash.

    Besides the text fields: the bylines (names and credentials as they stand
    now), the topics and the review interval, so that changing any of them
    makes a new revision that needs review.
    """
    content = {name: str(getattr(article, name) or "") for name in CONTENT_FIELDS}
    authors = list(article.authors.all()) if article.pk else []
    topics = list(article.topics.all()) if article.pk else []
    bylines = [author.as_byline() for author in authors]
    topic_list = [{"id": t.pk, "name": t.name, "slug": t.slug} for t in topics]
    interval = article.review_interval_months or None
    rendered = render(article.body)
    hashed = {
        **content,
        "authors": bylines,
        "topics": topic_list,
        "review_interval_months": interval,
    }
    return {
        "content": content,
        "bylines": bylines,
        "topic_list": topic_list,
        "authors": authors,
        "topics": topics,
        "review_interval_months": interval,
        "rendered": rendered,
        "content_hash": compute_content_hash(hashed, rendered.references),
    }


def save_revision(article: Article, by, note: str = "") -> Revision | None:
    content = {name: getattr(article, name) for name in CONTENT_FIELDS}
    content["review_interval_months"] = article.review_interval_months
    with transaction.atomic():
        locked = _lock(article)
        for name, value in content.items():
            setattr(locked, name, value)
            setattr(article, name, value)
        normalize_single_line(locked, SINGLE_LINE_FIELDS)
        for name in SINGLE_LINE_FIELDS:
            setattr(article, name, getattr(locked, name))
        snap = snapshot(locked)
        _require(not snap["rendered"].too_large, snap["rendered"].too_large or "")
        current = locked.current_revision
        if current is not None and current.content_hash == snap["content_hash"]:
            return None
        number = (locked.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
        rendered = snap["rendered"]
        revision = Revision.objects.create(
            article=locked,
            number=number,
            **snap["content"],
            review_interval_months=snap["review_interval_months"],
            bylines=snap["bylines"],
            topic_list=snap["topic_list"],
            body_html=rendered.html,
            toc=rendered.toc,
            cited=rendered.references,
            content_hash=snap["content_hash"],
            created_by=by,
            change_note=single_line(note)[:300],
        )
        locked.save(update_fields=[*CONTENT_FIELDS, "review_interval_months"])
        revision.authors.set(snap["authors"])
        revision.topics.set(snap["topics"])
        revision.cited_references.set(rendered.reference_objects)
        locked.references.add(*rendered.reference_objects)
        previous = locked.status
        locked.current_revision = revision
        if previous == Status.APPROVED:
            scheduled = locked.publish_at is not None
            locked.approval = None
            locked.status = Status.DRAFT
            locked.publish_at = None
            locked.scheduled_approval = None
            _save_state(
                locked,
                article,
                "current_revision",
                "approval",
                "status",
                "publish_at",
                "scheduled_approval",
            )
            message = _("Revision %(number)s changed the approved content.") % {
                "number": number
            }
            if scheduled:
                message += " " + _("The scheduled go-live was cancelled.")
            _log(
                locked,
                by,
                AuditEntry.Action.APPROVAL_VOIDED,
                previous,
                message,
                revision,
            )
        elif previous == Status.IN_REVIEW:
            locked.status = Status.DRAFT
            _save_state(locked, article, "current_revision", "status")
            _log(
                locked,
                by,
                AuditEntry.Action.REVIEW_VOIDED,
                previous,
                _("Revision %(number)s changed the content under review; submit again.")
                % {"number": number},
                revision,
            )
        elif previous in {Status.PUBLISHED, Status.WITHDRAWN}:
            locked.status = Status.DRAFT
            _save_state(locked, article, "current_revision", "status")
        else:
            _save_state(locked, article, "current_revision")
        if current is None:
            _log(locked, by, AuditEntry.Action.CREATE, "", revision=revision)
        return revision


def submit_for_review(article: Article, by) -> None:
    with transaction.atomic():
        locked = _lock(article)
        _require(
            locked.current_revision is not None,
            _("Save the article before submitting it."),
        )
        _require(
            locked.status in {Status.DRAFT, Status.CHANGES_REQUESTED, Status.WITHDRAWN},
            _("Only a draft can be submitted; this article is %(status)s.")
            % {"status": locked.get_status_display().lower()},
        )
        _require(
            locked.can_edit(by),
            _("Only an author of this article or an editor can submit it."),
        )
        blockers = _preflight_blockers(locked, locked.current_revision)
        _require(
            not blockers,
            _("Fix these before submitting: %(problems)s")
            % {"problems": " ".join(blockers)},
        )
        previous = locked.status
        locked.status = Status.IN_REVIEW
        _save_state(locked, article, "status")
        _log(locked, by, AuditEntry.Action.SUBMIT, previous)
        notifications.submitted(locked, by)


def _check_reviewer(locked: Article, by) -> None:
    _require(
        by.has_perm("articles.review_article"),
        _("Only medical reviewers can decide on a review."),
    )
    contributor = getattr(by, "contributor", None)
    _require(
        contributor is not None and contributor.is_credentialed,
        _(
            "Add your professional credentials to your contributor profile "
            "before reviewing."
        ),
    )
    _require(
        not locked.authors.filter(user=by).exists()
        and not locked.current_revision.authors.filter(user=by).exists(),
        _("You are an author of this article; another reviewer must review it."),
    )
    last_approval = (
        Review.objects.filter(
            revision__article=locked, decision=Review.Decision.APPROVED
        )
        .order_by("-created_at")
        .values_list("revision__number", flat=True)
        .first()
    )
    edited = locked.revisions.filter(created_by=by)
    if last_approval is not None:
        edited = edited.filter(number__gt=last_approval)
    _require(
        not edited.exists(),
        _(
            "You edited this article since its last approval; another "
            "reviewer must review it."
        ),
    )


def _create_review(locked: Article, by, decision, comment, full_review) -> Review:
    contributor = by.contributor
    return Review.objects.create(
        revision=locked.current_revision,
        reviewer=by,
        decision=decision,
        comment=comment,
        full_review=full_review,
        content_hash=locked.current_revision.content_hash,
        reviewer_name=contributor.display_name,
        reviewer_credentials=contributor.credentials,
    )


def approve(article: Article, by, comment: str = "", full_review: bool = True):
    with transaction.atomic():
        locked = _lock(article)
        _require(
            locked.status == Status.IN_REVIEW,
            _("Only an article in review can be approved; this one is %(status)s.")
            % {"status": locked.get_status_display().lower()},
        )
        _check_reviewer(locked, by)
        blockers = _preflight_blockers(locked, locked.current_revision)
        _require(
            not blockers,
            _("This revision cannot be approved: %(problems)s")
            % {"problems": " ".join(blockers)},
        )
        review = _create_review(
            locked, by, Review.Decision.APPROVED, comment, full_review
        )
        previous = locked.status
        locked.status = Status.APPROVED
        locked.approval = review
        _save_state(locked, article, "status", "approval")
        _log(locked, by, AuditEntry.Action.APPROVE, previous, comment)
        notifications.decided(locked, review, by)
        return review


def request_changes(article: Article, by, comment: str) -> Review:
    with transaction.atomic():
        locked = _lock(article)
        _require(
            locked.status == Status.IN_REVIEW,
            _("Only an article in review can be sent back; this one is %(status)s.")
            % {"status": locked.get_status_display().lower()},
        )
        _check_reviewer(locked, by)
        _require(
            bool(comment and comment.strip()),
            _("Say what needs to change: a comment is required."),
        )
        review = _create_review(
            locked, by, Review.Decision.CHANGES_REQUESTED, comment.strip(), True
        )
        previous = locked.status
        locked.status = Status.CHANGES_REQUESTED
        _save_state(locked, article, "status")
        _log(locked, by, AuditEntry.Action.REQUEST_CHANGES, previous, comment)
        notifications.decided(locked, review, by)
        return review


def _check_publishable(locked: Article) -> Review:
    approval = locked.approval
    _require(
        locked.status == Status.APPROVED and approval is not None,
        _("Only an approved revision can be published; this article is %(status)s.")
        % {"status": locked.get_status_display().lower()},
    )
    revision = locked.current_revision
    _require(
        approval.revision_id == revision.pk
        and approval.content_hash == revision.content_hash,
        _("The approval no longer matches the content; it needs review again."),
    )
    blockers = _preflight_blockers(locked, revision)
    _require(
        not blockers,
        _("Cannot publish: %(problems)s") % {"problems": " ".join(blockers)},
    )
    return approval


def make_live(locked: Article, article: Article, approval: Review, by) -> None:
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
    if approval.full_review:
        locked.last_reviewed = timezone.localdate(approval.created_at)
    if locked.last_reviewed is not None:
        locked.next_review_due = add_months(
            locked.last_reviewed, approval.revision.review_interval()
        )
    _save_state(
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
        },
        *locked.publication_history,
    ]
    _save_state(locked, article, "publication_history")
    index_live_revision(locked)
    _log(locked, by, AuditEntry.Action.PUBLISH, previous, revision=approval.revision)
    notifications.published(locked, by)


def publish(article: Article, by, at: datetime.datetime | None = None) -> None:
    with transaction.atomic():
        locked = _lock(article)
        _require(
            by.has_perm("articles.publish_article"),
            _("Only editors can publish articles."),
        )
        approval = _check_publishable(locked)
        if at is None or at <= timezone.now():
            make_live(locked, article, approval, by)
            return
        _require(timezone.is_aware(at), _("Give the go-live time with its timezone."))
        previous = locked.status
        locked.publish_at = at
        locked.scheduled_approval = approval
        locked.scheduled_by = by
        _save_state(locked, article, "publish_at", "scheduled_approval", "scheduled_by")
        _log(
            locked,
            by,
            AuditEntry.Action.SCHEDULE,
            previous,
            _("Goes live at %(at)s.") % {"at": timezone.localtime(at).isoformat()},
        )


def schedule_unpublish(article: Article, by, at: datetime.datetime, reason: str):
    """Withdraw the live page at `at`, with nobody acting."""
    with transaction.atomic():
        locked = _lock(article)
        _require(
            by.has_perm("articles.publish_article"),
            _("Only editors can schedule a withdrawal."),
        )
        _require(locked.is_live, _("This article is not live."))
        _require(
            bool(reason and reason.strip()),
            _("Give a reason for withdrawing the article."),
        )
        _require(at > timezone.now(), _("Choose a time in the future."))
        locked.unpublish_at = at
        locked.unpublish_reason = reason.strip()
        locked.scheduled_by = by
        _save_state(locked, article, "unpublish_at", "unpublish_reason", "scheduled_by")
        _log(
            locked,
            by,
            AuditEntry.Action.SCHEDULE,
            locked.status,
            _("Withdrawal at %(at)s: %(reason)s")
            % {"at": timezone.localtime(at).isoformat(), "reason": reason.strip()},
        )


def cancel_schedule(article: Article, by) -> None:
    """Drop any scheduled go-live or withdrawal."""
    with transaction.atomic():
        locked = _lock(article)
        _require(
            by.has_perm("articles.publish_article"),
            _("Only editors can change the schedule."),
        )
        _require(
            locked.publish_at or locked.unpublish_at,
            _("Nothing is scheduled for this article."),
        )
        locked.publish_at = None
        locked.scheduled_approval = None
        locked.unpublish_at = None
        locked.unpublish_reason = ""
        _save_state(
            locked,
            article,
            "publish_at",
            "scheduled_approval",
            "unpublish_at",
            "unpublish_reason",
        )
        _log(
            locked,
            by,
            AuditEntry.Action.SCHEDULE,
            locked.status,
            _("Schedule cancelled."),
        )


def run_due_schedules(now: datetime.datetime | None = None) -> list[str]:
    """Carry out every go-live and withdrawal whose time has come.

    Returns one line per article, for the command's output. A schedule whose
    approval no longer matches is dropped and logged, never published.
    """
    now = now or timezone.now()
    done = []
    due = Article.objects.filter(publish_at__lte=now).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            article = Article.objects.get(pk=pk)
            locked = _lock(article)
            if locked.publish_at is None or locked.publish_at > now:
                continue
            try:
                approval = _check_publishable(locked)
                _require(
                    approval == locked.scheduled_approval,
                    _("The scheduled approval is no longer current."),
                )
            except WorkflowError as error:
                locked.publish_at = None
                locked.scheduled_approval = None
                _save_state(locked, article, "publish_at", "scheduled_approval")
                _log(
                    locked,
                    locked.scheduled_by,
                    AuditEntry.Action.SCHEDULE,
                    locked.status,
                    _("Scheduled go-live dropped: %(error)s") % {"error": error},
                )
                done.append(f"dropped {locked.slug}: {error}")
                continue
            make_live(locked, article, approval, locked.scheduled_by)
            done.append(f"published {locked.slug}")
    due = Article.objects.filter(unpublish_at__lte=now).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            article = Article.objects.get(pk=pk)
            locked = _lock(article)
            if locked.unpublish_at is None or locked.unpublish_at > now:
                continue
            reason = locked.unpublish_reason
            locked.unpublish_at = None
            locked.unpublish_reason = ""
            _save_state(locked, article, "unpublish_at", "unpublish_reason")
            if locked.is_live:
                _withdraw(locked, article, locked.scheduled_by, reason)
                done.append(f"withdrew {locked.slug}")
    return done


def unpublish(article: Article, by, reason: str) -> None:
    with transaction.atomic():
        locked = _lock(article)
        _require(
            by.has_perm("articles.publish_article"),
            _("Only editors can withdraw articles."),
        )
        _require(locked.is_live, _("This article is not live."))
        _require(
            bool(reason and reason.strip()),
            _("Give a reason for withdrawing the article."),
        )
        _withdraw(locked, article, by, reason)


def _withdraw(locked: Article, article: Article, by, reason: str) -> None:
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
    _save_state(
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
    )
    locked._moving_live_pointer = False
    index_live_revision(locked)
    _log(locked, by, AuditEntry.Action.UNPUBLISH, previous, reason.strip())


def restore(article: Article, number: int, by) -> Revision:
    """Copy an old revision into the working copy as a new draft revision."""
    with transaction.atomic():
        locked = _lock(article)
        _require(locked.can_edit(by), _("You cannot edit this article."))
        old = locked.revisions.filter(number=number).first()
        _require(old is not None, _("There is no revision %(n)s.") % {"n": number})
        fields = [*CONTENT_FIELDS, "review_interval_months"]
        for name in fields:
            setattr(article, name, getattr(old, name))
        article.edit_version = locked.edit_version + 1
        article.last_edited_by = by
        article.last_edited_at = timezone.now()
        Article.objects.filter(pk=locked.pk).update(
            **{name: getattr(old, name) for name in fields},
            edit_version=article.edit_version,
            last_edited_by=by,
            last_edited_at=article.last_edited_at,
        )
        # Bylines and topics come back too (those whose profile still exists).
        article.authors.set(old.authors.all())
        article.topics.set(old.topics.all())
        revision = save_revision(
            article,
            by=by,
            note=_("Restored from revision %(n)s") % {"n": number},
        )
        _require(
            revision is not None,
            _("Revision %(n)s has the same content as the working copy.")
            % {"n": number},
        )
        article.refresh_from_db()
        _log(
            article,
            by,
            AuditEntry.Action.RESTORE,
            article.status,
            _("Restored revision %(n)s as revision %(new)s.")
            % {"n": number, "new": revision.number},
            revision,
        )
        return revision
