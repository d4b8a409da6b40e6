"""Submitting for medical review, and the reviewer's two decisions.

A decision may carry the clinical checklist as ticked and the reviewer's
declaration of competing interests, and it summarises the comments on the
text that are still open: their list is added to the decision's comment, and
each is linked to the decision.
"""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from articles import notifications
from articles.models import Article, AuditEntry, Review, ReviewComment
from articles.workflow import corrections
from articles.workflow.sign_off import require_proof
from articles.workflow.steps import (
    Status,
    lock,
    log,
    preflight_blockers,
    require,
    save_state,
)
from siteconf.mfa.state import SCRIPT, Proof


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
        corrections.require_class(locked, locked.current_revision)
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


SUMMARY_COMMENTS = 20  # open comments listed in a decision; the rest counted
MAX_INTERESTS = 2000


def review_checklist() -> list[tuple[str, str]]:
    """The clinical checklist (key, label) from HEALTH_REVIEW_CHECKLIST."""
    return [(str(key), str(label)) for key, label in settings.HEALTH_REVIEW_CHECKLIST]


def open_comments(article: Article) -> list[ReviewComment]:
    """The article's comments on the text that nobody has resolved yet."""
    return list(
        ReviewComment.objects.filter(article=article, resolved_at__isnull=True)
        .select_related("revision")
        .order_by("created_at", "id")
    )


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def comment_summary(comments: list[ReviewComment]) -> str:
    """The open comments as a decision's comment lists them, one a line."""
    if not comments:
        return ""
    lines = [
        ngettext(
            "%(count)d open comment on the text:",
            "%(count)d open comments on the text:",
            len(comments),
        )
        % {"count": len(comments)}
    ]
    for comment in comments[:SUMMARY_COMMENTS]:
        lines.append(
            _("• “%(quote)s” (revision %(number)s): %(body)s")
            % {
                "quote": _shorten(comment.quote, 120),
                "number": comment.revision.number,
                "body": _shorten(comment.body, 500),
            }
        )
    if len(comments) > SUMMARY_COMMENTS:
        lines.append(
            _("…and %(count)d more on the review screen.")
            % {"count": len(comments) - SUMMARY_COMMENTS}
        )
    return "\n".join(lines)


def _with_summary(comment: str, comments: list[ReviewComment]) -> str:
    return "\n\n".join(
        part for part in (comment.strip(), comment_summary(comments)) if part
    )


def _declaration(interests: str | None) -> dict:
    """None: nothing declared; "" declares none; text declares those interests."""
    if interests is None:
        return {"interests_declared": False, "competing_interests": ""}
    interests = interests.strip()
    require(
        len(interests) <= MAX_INTERESTS,
        _("Keep the declaration of competing interests under %(limit)d characters.")
        % {"limit": MAX_INTERESTS},
    )
    return {"interests_declared": True, "competing_interests": interests}


def _ticked(checklist: dict | None) -> dict:
    """The checklist as stored: every configured item, ticked or not."""
    if checklist is None:
        return {}
    return {key: bool(checklist.get(key)) for key, _label in review_checklist()}


def _create_review(
    locked: Article,
    by,
    decision,
    comment,
    full_review,
    checklist=None,
    interests=None,
    proof: Proof = SCRIPT,
) -> Review:
    contributor = by.contributor
    comments = open_comments(locked)
    review = Review.objects.create(
        revision=locked.current_revision,
        reviewer=by,
        decision=decision,
        comment=_with_summary(comment, comments),
        full_review=full_review,
        content_hash=locked.current_revision.content_hash,
        change_class=locked.current_revision.change_class
        if decision == Review.Decision.APPROVED
        else "",
        reviewer_name=contributor.display_name,
        reviewer_credentials=contributor.credentials,
        checklist=_ticked(checklist),
        **_declaration(interests),
        **Review.proof_fields(proof),
    )
    # update(), not save(): linking is not a new comment to notify anyone of.
    ReviewComment.objects.filter(pk__in=[c.pk for c in comments]).update(review=review)
    return review


def _lock_for_decision(article: Article, by, refusal: str) -> Article:
    """Lock an article in review for a decision by `by`, a permitted reviewer."""
    locked = lock(article)
    require(
        locked.status == Status.IN_REVIEW,
        refusal % {"status": locked.get_status_display().lower()},
    )
    _check_reviewer(locked, by)
    return locked


def approve(
    article: Article,
    by,
    comment: str = "",
    full_review: bool = True,
    checklist: dict | None = None,
    competing_interests: str | None = None,
    proof: Proof = SCRIPT,
    change_class: str | None = None,
) -> Review:
    """Approve the current revision.

    `checklist` ({key: ticked}) is the clinical checklist; when given, every
    item must be ticked. `competing_interests` is the reviewer's declaration
    ("" for none); None records that nothing was declared (the review screen
    always asks for both; older callers and the shell may leave them out).
    `proof` is how the reviewer proved who they were: the desk passes the
    session's fresh check; scripts record "no second factor (workflow API)".
    `change_class` confirms the writer's class of an update of a live page
    (it must match; the approval records it).
    """
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
        corrections.require_confirmed(locked, locked.current_revision, change_class)
        if checklist is not None:
            unticked = [
                label for key, label in review_checklist() if not checklist.get(key)
            ]
            require(
                not unticked,
                _(
                    "Tick every item of the clinical checklist to approve. "
                    "Not ticked: %(items)s."
                )
                % {"items": "; ".join(unticked)},
            )
        review = _create_review(
            locked,
            by,
            Review.Decision.APPROVED,
            comment,
            full_review,
            checklist,
            competing_interests,
            require_proof(proof),
        )
        previous = locked.status
        locked.status = Status.APPROVED
        locked.approval = review
        save_state(locked, article, "status", "approval")
        log(
            locked,
            by,
            AuditEntry.Action.APPROVE,
            previous,
            review.comment,
            proof=proof,
        )
        notifications.decided(locked, review, by)
        return review


def request_changes(
    article: Article,
    by,
    comment: str,
    checklist: dict | None = None,
    competing_interests: str | None = None,
    proof: Proof = SCRIPT,
) -> Review:
    """Send the article back; the open comments on the text are listed too."""
    with transaction.atomic():
        locked = _lock_for_decision(
            article,
            by,
            _("Only an article in review can be sent back; this one is %(status)s."),
        )
        comment = (comment or "").strip()
        require(
            bool(comment)
            or ReviewComment.objects.filter(
                article=locked, resolved_at__isnull=True
            ).exists(),
            _(
                "Say what needs to change: a comment is required (or comment "
                "on the text)."
            ),
        )
        review = _create_review(
            locked,
            by,
            Review.Decision.CHANGES_REQUESTED,
            comment,
            True,
            checklist,
            competing_interests,
            require_proof(proof),
        )
        previous = locked.status
        locked.status = Status.CHANGES_REQUESTED
        save_state(locked, article, "status")
        log(
            locked,
            by,
            AuditEntry.Action.REQUEST_CHANGES,
            previous,
            review.comment,
            proof=proof,
        )
        notifications.decided(locked, review, by)
        return review
