"""Notifications about the workflow: a line in each recipient's bell, and an
email unless they turned that kind off. Nobody hears about their own action."""

import contextlib
import contextvars
import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from articles import names
from articles.absolute_urls import absolute
from articles.models import Notification, NotificationPreference, Review, ReviewComment
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


def person_name(user) -> str:
    """How messages name someone (articles.names), "Someone" for no one."""
    if user is None:
        return _("Someone")
    return names.person_name(user)


def _admin_path(article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def _admin_url(article) -> str:
    return absolute(_admin_path(article))


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


def _enqueue(subject: str, body: str, addresses: list[str]) -> None:
    try:
        send_notification.enqueue(subject, body, addresses)
    except Exception:
        # The transition has committed; losing its email must not undo that.
        logger.exception("Could not queue the notification %r.", subject)


def notify(
    kind: str,
    recipients,
    actor,
    message: str,
    article=None,
    url: str = "",
    email: tuple[str, str] | None = None,
    after_commit: bool = True,
) -> list[str]:
    """Put `message` in each recipient's bell (never the actor's) and queue one
    email (subject, body) to those who have not muted this kind.

    The bell's rows are written in the caller's transaction, so a transition
    that rolls back leaves none; the email is queued once it commits.
    Returns the email addresses.
    """
    mode = _muted.get()
    people = {
        user.pk: user
        for user in recipients
        if user.is_active and (actor is None or user.pk != actor.pk)
    }
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
    if mode == "email" or email is None:
        return []
    unwanted = {
        preference.user_id
        for preference in NotificationPreference.objects.filter(user__in=list(people))
        if not preference.wants_email(kind)
    }
    addresses = sorted(
        {user.email for pk, user in people.items() if user.email and pk not in unwanted}
    )
    subject, body = email
    if addresses and after_commit:
        transaction.on_commit(lambda: _enqueue(subject, body, addresses))
    elif addresses:
        _enqueue(subject, body, addresses)
    return addresses


def submitted(article, actor) -> None:
    """Tell the reviewers, except the submitter and the article's own authors."""
    text = _("%(name)s submitted “%(title)s” for medical review.") % {
        "name": person_name(actor),
        "title": article.title,
    }
    notify(
        Kind.SUBMITTED,
        _reviewers(article),
        actor,
        text,
        article,
        _admin_path(article),
        (f"[Review] {article.title}", f"{text}\n\nReview it: {_admin_url(article)}\n"),
    )


def _reviewers(article) -> list:
    authors = set(_author_users(article).values_list("pk", flat=True))
    return [u for u in users_with_perm("review_article") if u.pk not in authors]


def decided(article, review, actor) -> None:
    """Tell the authors what the reviewer decided, with the comment; after an
    approval, tell the editors that it waits to be published."""
    approved = review.decision == Review.Decision.APPROVED
    values = {"name": person_name(actor), "title": article.title}
    if approved:
        text = _("%(name)s approved “%(title)s”.") % values
    else:
        text = _("%(name)s requested changes to “%(title)s”: %(comment)s") % {
            **values,
            "comment": review.comment,
        }
    body = (
        f"{review.reviewer_byline}: {review.get_decision_display()} for "
        f"“{article.title}” (revision {review.revision.number}).\n\n"
        f"Comment:\n{review.comment or '(none)'}\n\n{_admin_url(article)}\n"
    )
    authors = list(_author_users(article))
    path = _admin_path(article)
    notify(
        Kind.DECIDED,
        authors,
        actor,
        text,
        article,
        path,
        (f"[{review.get_decision_display()}] {article.title}", body),
    )
    if not approved:
        return
    # Editors who wrote it heard of the decision already.
    author_ids = {u.pk for u in authors}
    editors = [u for u in users_with_perm("publish_article") if u.pk not in author_ids]
    waiting = _("%(name)s approved “%(title)s”; it is waiting to be published.") % (
        values
    )
    notify(
        Kind.APPROVED,
        editors,
        actor,
        waiting,
        article,
        path,
        (f"[To publish] {article.title}", f"{waiting}\n\n{_admin_url(article)}\n"),
    )


def _authors_and_reviewer(article, approval) -> list:
    recipients = list(_author_users(article))
    if approval is not None:
        recipients.append(approval.reviewer)
    return recipients


def published(article, actor) -> None:
    """Tell the authors and the approving reviewer that the page is live."""
    url = absolute(article.get_absolute_url())
    if actor is None:
        text = _("“%(title)s” went live as scheduled.") % {"title": article.title}
    else:
        text = _("%(name)s published “%(title)s”.") % {
            "name": person_name(actor),
            "title": article.title,
        }
    notify(
        Kind.PUBLISHED,
        _authors_and_reviewer(article, article.live_approval),
        actor,
        text,
        article,
        _admin_path(article),
        (f"[Published] {article.title}", f"“{article.title}” is live at {url}\n"),
    )


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
    text = _("%(name)s withdrew “%(title)s”: %(reason)s") % {
        "name": person_name(actor),
        "title": article.title,
        "reason": article.withdrawal_reason,
    }
    notify(
        Kind.WITHDRAWN,
        _authors_and_reviewer(article, approval),
        actor,
        text,
        article,
        _admin_path(article),
        (f"[Withdrawn] {article.title}", f"{text}\n\n{_admin_url(article)}\n"),
    )


def review_withdrawn(article, actor) -> None:
    """Tell the reviewers that an edit took an article out of review."""
    text = _(
        "%(name)s edited “%(title)s” while it was in review: the review request "
        "is withdrawn until it is submitted again."
    ) % {"name": person_name(actor), "title": article.title}
    notify(
        Kind.REVIEW_WITHDRAWN,
        _reviewers(article),
        actor,
        text,
        article,
        _admin_path(article),
        (f"[Review withdrawn] {article.title}", f"{text}\n\n{_admin_url(article)}\n"),
    )


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
    notify(
        Kind.COMMENT, recipients, comment.author, text, article, _admin_path(article)
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
    parts = []
    if overdue:
        parts.append(
            ngettext(
                "%(count)d article is overdue for review",
                "%(count)d articles are overdue for review",
                len(overdue),
            )
            % {"count": len(overdue)}
        )
    if due:
        parts.append(
            ngettext(
                "%(count)d article is due for review within %(days)d days",
                "%(count)d articles are due for review within %(days)d days",
                len(due),
            )
            % {"count": len(due), "days": days}
        )
    recipients = set(users_with_perm("review_article")) | set(
        users_with_perm("publish_article")
    )
    return notify(
        Kind.REVIEWS_DUE,
        recipients,
        None,
        "; ".join(parts) + ".",
        url=reverse("admin:articles_article_dashboard"),
        email=(
            f"[Reviews due] {len(overdue)} overdue, {len(due)} due soon",
            "\n".join(lines) + "\n",
        ),
        after_commit=False,
    )
