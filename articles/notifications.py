"""Email notifications about the workflow. Nobody gets mail about their own action."""

import contextlib
import contextvars
import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from articles.absolute_urls import absolute
from articles.tasks import send_notification

logger = logging.getLogger(__name__)
_muted = contextvars.ContextVar("notifications_muted", default=False)


@contextlib.contextmanager
def muted():
    """Send no notifications inside the block (demo content, data repairs)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def _admin_url(article) -> str:
    return absolute(reverse("admin:articles_article_change", args=[article.pk]))


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


def _addresses(recipients, actor) -> list[str]:
    return sorted(
        {u.email for u in recipients if u.email and (actor is None or u.pk != actor.pk)}
    )


def _enqueue(subject: str, body: str, addresses: list[str]) -> None:
    try:
        send_notification.enqueue(subject, body, addresses)
    except Exception:
        # The transition has committed; losing its email must not undo that.
        logger.exception("Could not queue the notification %r.", subject)


def _send(subject: str, body: str, recipients, actor, after_commit=True) -> list[str]:
    """Queue one email to the recipients (never the actor), once committed."""
    addresses = _addresses(recipients, actor)
    if _muted.get():
        return []
    if addresses and after_commit:
        transaction.on_commit(lambda: _enqueue(subject, body, addresses))
    elif addresses:
        _enqueue(subject, body, addresses)
    return addresses


def submitted(article, actor) -> None:
    """Tell the reviewers, except the submitter and the article's own authors."""
    authors = set(_author_users(article).values_list("pk", flat=True))
    reviewers = [u for u in users_with_perm("review_article") if u.pk not in authors]
    _send(
        f"[Review] {article.title}",
        f"{actor.get_full_name() or actor.username} submitted “{article.title}” "
        f"for medical review.\n\nReview it: {_admin_url(article)}\n",
        reviewers,
        actor,
    )


def decided(article, review, actor) -> None:
    """Tell the authors what the reviewer decided, with the comment."""
    body = (
        f"{review.reviewer_byline}: {review.get_decision_display()} for "
        f"“{article.title}” (revision {review.revision.number}).\n\n"
        f"Comment:\n{review.comment or '(none)'}\n\n{_admin_url(article)}\n"
    )
    _send(
        f"[{review.get_decision_display()}] {article.title}",
        body,
        list(_author_users(article)),
        actor,
    )


def published(article, actor) -> None:
    """Tell the authors and the approving reviewer that the page is live."""
    recipients = list(_author_users(article))
    if article.live_approval_id:
        recipients.append(article.live_approval.reviewer)
    _send(
        f"[Published] {article.title}",
        f"“{article.title}” is live at {absolute(article.get_absolute_url())}\n",
        recipients,
        actor,
    )


def digest(overdue: list, due: list, days: int) -> list[str]:
    """The daily digest to reviewers and editors; nothing when nothing is due."""
    if not overdue and not due:
        return []
    lines = []
    if overdue:
        lines.append("Overdue for review:")
        lines += [
            f"- {a.title} (was due {a.next_review_due:%d %b %Y}): {_admin_url(a)}"
            for a in overdue
        ]
    if due:
        lines.append(f"\nDue within {days} days:")
        lines += [
            f"- {a.title} (due {a.next_review_due:%d %b %Y}): {_admin_url(a)}"
            for a in due
        ]
    recipients = set(users_with_perm("review_article")) | set(
        users_with_perm("publish_article")
    )
    return _send(
        f"[Reviews due] {len(overdue)} overdue, {len(due)} due soon",
        "\n".join(lines) + "\n",
        recipients,
        None,
        after_commit=False,
    )
