"""Submitting for medical review, and the reviewer's two decisions."""

from django.db import transaction
from django.utils.translation import gettext as _

from articles import notifications
from articles.models import Article, AuditEntry, Review
from articles.workflow.steps import (
    Status,
    lock,
    log,
    preflight_blockers,
    require,
    save_state,
)


def submit_for_review(article: Article, by) -> None:
    with transaction.atomic():
        locked = lock(article)
        require(
            locked.current_revision is not None,
            _("Save the article before submitting it."),
        )
        require(
            locked.status in {Status.DRAFT, Status.CHANGES_REQUESTED, Status.WITHDRAWN},
            _("Only a draft can be submitted; this article is %(status)s.")
            % {"status": locked.get_status_display().lower()},
        )
        require(
            locked.can_edit(by),
            _("Only an author of this article or an editor can submit it."),
        )
        blockers = preflight_blockers(locked, locked.current_revision)
        require(
            not blockers,
            _("Fix these before submitting: %(problems)s")
            % {"problems": " ".join(blockers)},
        )
        previous = locked.status
        locked.status = Status.IN_REVIEW
        save_state(locked, article, "status")
        log(locked, by, AuditEntry.Action.SUBMIT, previous)
        notifications.submitted(locked, by)


def _check_reviewer(locked: Article, by) -> None:
    require(
        by.has_perm("articles.review_article"),
        _("Only medical reviewers can decide on a review."),
    )
    contributor = getattr(by, "contributor", None)
    require(
        contributor is not None and contributor.is_credentialed,
        _(
            "Add your professional credentials to your contributor profile "
            "before reviewing."
        ),
    )
    require(
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
    require(
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


def _lock_for_decision(article: Article, by, refusal: str) -> Article:
    """Lock an article in review for a decision by `by`, a permitted reviewer."""
    locked = lock(article)
    require(
        locked.status == Status.IN_REVIEW,
        refusal % {"status": locked.get_status_display().lower()},
    )
    _check_reviewer(locked, by)
    return locked


def approve(article: Article, by, comment: str = "", full_review: bool = True):
    with transaction.atomic():
        locked = _lock_for_decision(
            article,
            by,
            _("Only an article in review can be approved; this one is %(status)s."),
        )
        blockers = preflight_blockers(locked, locked.current_revision)
        require(
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
        save_state(locked, article, "status", "approval")
        log(locked, by, AuditEntry.Action.APPROVE, previous, comment)
        notifications.decided(locked, review, by)
        return review


def request_changes(article: Article, by, comment: str) -> Review:
    with transaction.atomic():
        locked = _lock_for_decision(
            article,
            by,
            _("Only an article in review can be sent back; this one is %(status)s."),
        )
        require(
            bool(comment and comment.strip()),
            _("Say what needs to change: a comment is required."),
        )
        review = _create_review(
            locked, by, Review.Decision.CHANGES_REQUESTED, comment.strip(), True
        )
        previous = locked.status
        locked.status = Status.CHANGES_REQUESTED
        save_state(locked, article, "status")
        log(locked, by, AuditEntry.Action.REQUEST_CHANGES, previous, comment)
        notifications.decided(locked, review, by)
        return review
