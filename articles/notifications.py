"""Notifications about the workflow: a line in each recipient's bell, and an
email unless they turned that kind off. Nobody hears about their own action.

The bell's line is written with the transition. The email is a task that
carries ids only: the kind, the recipients and what it is about. The worker
looks up the addresses and preferences and writes the letter when it runs
(articles/letters.py), so no address, comment or reason sits in the task
queue or in the task results, which editors can read.
"""

import contextlib
import contextvars
import functools
import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from articles import letters
from articles.letters import ABOUT_ARTICLE, admin_path, person_name
from articles.models import Notification, Review, ReviewComment
from articles.tasks import send_notification

logger = logging.getLogger(__name__)
Kind = Notification.Kind
# Comments stay in the bell: a review can hold many, and the decision's email
# sums them up. Every other kind also comes by email unless the user says no.
EMAIL_KINDS = [kind for kind in Kind if kind != Kind.COMMENT]
_muted = contextvars.ContextVar("notifications_muted", default="")


@contextlib.contextmanager
def muted(bell: bool = False):
    """Send no notifications inside the block (demo content, data repairs);
    with bell=True the bells still get them and only the emails stay unsent."""
    token = _muted.set("email" if bell else "all")
    try:
        yield
    finally:
        _muted.reset(token)


def users_with_perm(codename: str):
    """Active users with articles.<codename>: directly, by group, or superuser."""
    User = get_user_model()
    return User.objects.filter(
        Q(is_superuser=True)
        | Q(user_permissions__codename=codename)
        | Q(groups__permissions__codename=codename),
        is_active=True,
    ).distinct()


def _author_users(article):
    User = get_user_model()
    return User.objects.filter(contributor__authored_articles=article, is_active=True)


def _enqueue(kind: str, user_ids: list[int], about: dict) -> None:
    try:
        send_notification.enqueue(kind, user_ids, about)
    except Exception:
        # The transition has committed; losing its email must not undo that.
        logger.exception("Could not queue the %s notification email.", kind)


def notify(
    kind: str,
    recipients,
    actor,
    message: str,
    article=None,
    url: str = "",
    about: dict | None = None,
    after_commit: bool = True,
) -> list[int]:
    """Put `message` in each recipient's bell (never the actor's) and queue
    the email `about` names (ids: see `letters.letter`) for those who want it.

    The bell's rows are written in the caller's transaction, so a transition
    that rolls back leaves none; the email is queued once it commits.
    Returns the ids of the users the email is queued for.
    """
    mode = _muted.get()
    people = sorted(
        {
            user.pk
            for user in recipients
            if user.is_active and (actor is None or user.pk != actor.pk)
        }
    )
    if mode == "all" or not people:
        return []
    Notification.objects.bulk_create(
        Notification(
            recipient_id=pk,
            kind=kind,
            article=article,
            message=Truncator(message).chars(300),
            url=url[:500],
        )
        for pk in people
    )
    if mode == "email" or about is None or kind not in EMAIL_KINDS:
        return []
    emailed = sorted(letters.wanting_email(kind, people).values_list("pk", flat=True))
    if not emailed:
        return []
    queue = functools.partial(_enqueue, kind, emailed, about)
    if after_commit:
        transaction.on_commit(queue)
    else:
        queue()
    return emailed


def _tell(kind: str, recipients, article, actor) -> None:
    """Notify about an article and who acted (the kinds in ABOUT_ARTICLE)."""
    notify(
        kind,
        recipients,
        actor,
        ABOUT_ARTICLE[kind](article, actor).bell,
        article,
        admin_path(article),
        {"article": article.pk, "actor": actor.pk if actor else None},
    )


def submitted(article, actor) -> None:
    """Tell the reviewers, except the submitter and the article's own authors."""
    _tell(Kind.SUBMITTED, _reviewers(article), article, actor)


def _reviewers(article) -> list:
    authors = set(_author_users(article).values_list("pk", flat=True))
    return [u for u in users_with_perm("review_article") if u.pk not in authors]


def decided(article, review, actor) -> None:
    """Tell the authors what the reviewer decided, with the comment; after an
    approval, tell the editors that it waits to be published."""
    authors = list(_author_users(article))
    path, about = admin_path(article), {"review": review.pk}
    bell = letters.ABOUT_REVIEW[Kind.DECIDED](review).bell
    notify(Kind.DECIDED, authors, actor, bell, article, path, about)
    if review.decision != Review.Decision.APPROVED:
        return
    # Editors who wrote it heard of the decision already.
    author_ids = {u.pk for u in authors}
    editors = [u for u in users_with_perm("publish_article") if u.pk not in author_ids]
    bell = letters.ABOUT_REVIEW[Kind.APPROVED](review).bell
    notify(Kind.APPROVED, editors, actor, bell, article, path, about)


def _authors_and_reviewer(article, approval) -> list:
    recipients = list(_author_users(article))
    if approval is not None:
        recipients.append(approval.reviewer)
    return recipients


def published(article, actor) -> None:
    """Tell the authors and the approving reviewer that the page is live."""
    recipients = _authors_and_reviewer(article, article.live_approval)
    _tell(Kind.PUBLISHED, recipients, article, actor)


def withdrawn(article, actor) -> None:
    """Tell the authors and the reviewer who approved the withdrawn page."""
    approval = (
        Review.objects.filter(
            revision_id=article.withdrawn_revision_id,
            decision=Review.Decision.APPROVED,
        )
        .select_related("reviewer")
        .order_by("-created_at")
        .first()
    )
    _tell(Kind.WITHDRAWN, _authors_and_reviewer(article, approval), article, actor)


def review_withdrawn(article, actor) -> None:
    """Tell the reviewers that an edit took an article out of review."""
    _tell(Kind.REVIEW_WITHDRAWN, _reviewers(article), article, actor)


def commented(comment) -> None:
    """A comment on the text: a reviewer's goes to the authors, an author's to
    the reviewers who commented on the article. Bell only, no email."""
    article = comment.article
    authors = list(_author_users(article))
    author_ids = {u.pk for u in authors}
    if comment.author_id in author_ids:
        User = get_user_model()
        commenters = ReviewComment.objects.filter(article=article).values("author")
        recipients = User.objects.filter(pk__in=commenters, is_active=True).exclude(
            pk__in=author_ids
        )
    else:
        recipients = authors
    text = _("%(name)s commented on “%(title)s”: %(comment)s") % {
        "name": person_name(comment.author),
        "title": article.title,
        "comment": Truncator(comment.body).chars(140),
    }
    notify(Kind.COMMENT, recipients, comment.author, text, article, admin_path(article))


def evidence_changed(alert, tell_reviewer: bool, tell_editors: bool) -> None:
    """A cited source of a live page has a new notice: tell the reviewer who
    approved the page (every reviewer, if they have left) and, if the policy
    says so, the editors; the email lists the sentences that cite it."""
    recipients = []
    if tell_reviewer:
        if alert.reviewer_id:
            recipients.append(alert.reviewer)
        else:
            recipients += _reviewers(alert.article)
    if tell_editors:
        recipients += list(users_with_perm("publish_article"))
    if not recipients:
        return
    letter = letters.evidence_letter(alert)
    notify(
        Kind.EVIDENCE,
        recipients,
        None,
        letter.bell,
        alert.article,
        letters.review_path(alert.article),
        {"alert": alert.pk},
    )


def reader_reported(report) -> None:
    """A reader reported a medical problem with a live page: tell the reviewer
    who approved it (every reviewer, if they have left) and the editors."""
    article = report.article
    approval = article.live_approval
    reviewer = approval.reviewer if approval else None
    recipients = list(users_with_perm("publish_article"))
    if reviewer is not None and reviewer.is_active:
        recipients.append(reviewer)
    else:
        recipients += _reviewers(article)
    letter = letters.report_letter(report)
    notify(
        Kind.READER_REPORT,
        recipients,
        None,
        letter.bell,
        article,
        letters.report_path(report),
        {"report": report.pk},
    )


def digest(overdue: list, due: list, days: int) -> list[int]:
    """The daily digest to reviewers and editors; nothing when nothing is due.
    Returns the ids of the users it is emailed to."""
    letter = letters.digest_letter(overdue, due, days)
    if letter is None:
        return []
    recipients = set(users_with_perm("review_article")) | set(
        users_with_perm("publish_article")
    )
    return notify(
        Kind.REVIEWS_DUE,
        recipients,
        None,
        letter.bell,
        url=reverse("admin:articles_article_dashboard"),
        about={
            "overdue": [a.pk for a in overdue],
            "due": [a.pk for a in due],
            "days": days,
        },
        after_commit=False,
    )
