"""What each notification says, the bell's line and the email's subject and
body, and who still wants it by email.

The bell's line is written with the transition. The email is written when
the task that sends it runs, from the ids it carries (`letter(kind, about)`),
so no address, comment or reason waits in the task queue or its results.
"""

from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from articles import evidence_policy, names
from articles.absolute_urls import absolute
from articles.models import (
    Article,
    EvidenceAlert,
    Notification,
    NotificationPreference,
    ReaderReport,
    Review,
)
from articles.text import single_line

Kind = Notification.Kind


class Letter(NamedTuple):
    """What one event says: the bell's line, and the email's subject and body."""

    bell: str
    subject: str
    body: str


def person_name(user) -> str:
    """How messages name someone (articles.names), "Someone" for no one."""
    if user is None:
        return _("Someone")
    return names.person_name(user)


def admin_path(article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def _admin_url(article) -> str:
    return absolute(admin_path(article))


def review_path(article) -> str:
    return reverse("admin:articles_article_review", args=[article.pk])


def wanting_email(kind: str, user_ids):
    """The active users among `user_ids` with an address who want `kind` by email."""
    unwanted = [
        preference.user_id
        for preference in NotificationPreference.objects.filter(user__in=user_ids)
        if not preference.wants_email(kind)
    ]
    return (
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .exclude(email="")
        .exclude(pk__in=unwanted)
    )


def email_addresses(kind: str, user_ids) -> list[str]:
    """Where an email of `kind` goes now: read when the task runs, so a changed
    address or preference counts."""
    return sorted(set(wanting_email(kind, user_ids).values_list("email", flat=True)))


def _submitted(article, actor) -> Letter:
    text = _("%(name)s submitted “%(title)s” for medical review.") % {
        "name": person_name(actor),
        "title": article.title,
    }
    body = f"{text}\n\nReview it: {_admin_url(article)}\n"
    return Letter(text, f"[Review] {article.title}", body)


def _published(article, actor) -> Letter:
    if actor is None:
        text = _("“%(title)s” went live as scheduled.") % {"title": article.title}
    else:
        text = _("%(name)s published “%(title)s”.") % {
            "name": person_name(actor),
            "title": article.title,
        }
    url = absolute(article.get_absolute_url())
    body = f"“{article.title}” is live at {url}\n"
    return Letter(text, f"[Published] {article.title}", body)


def _withdrawn(article, actor) -> Letter:
    text = _("%(name)s withdrew “%(title)s”: %(reason)s") % {
        "name": person_name(actor),
        "title": article.title,
        "reason": article.withdrawal_reason,
    }
    body = f"{text}\n\n{_admin_url(article)}\n"
    return Letter(text, f"[Withdrawn] {article.title}", body)


def _review_withdrawn(article, actor) -> Letter:
    text = _(
        "%(name)s edited “%(title)s” while it was in review: the review request "
        "is withdrawn until it is submitted again."
    ) % {"name": person_name(actor), "title": article.title}
    body = f"{text}\n\n{_admin_url(article)}\n"
    return Letter(text, f"[Review withdrawn] {article.title}", body)


def _decision(review) -> Letter:
    article = review.revision.article
    values = {"name": person_name(review.reviewer), "title": article.title}
    if review.decision == Review.Decision.APPROVED:
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
    return Letter(text, f"[{review.get_decision_display()}] {article.title}", body)


def _waiting(review) -> Letter:
    article = review.revision.article
    text = _("%(name)s approved “%(title)s”; it is waiting to be published.") % {
        "name": person_name(review.reviewer),
        "title": article.title,
    }
    body = f"{text}\n\n{_admin_url(article)}\n"
    return Letter(text, f"[To publish] {article.title}", body)


def digest_letter(overdue: list, due: list, days: int) -> Letter | None:
    """The daily digest of reviews overdue and due within `days`; None when
    nothing is due."""
    if not overdue and not due:
        return None
    lines, parts = [], []
    if overdue:
        lines.append("Overdue for review:")
        lines += [
            f"- {a.title} (was due {a.next_review_due:%d %b %Y}): {_admin_url(a)}"
            for a in overdue
        ]
        parts.append(
            ngettext(
                "%(count)d article is overdue for review",
                "%(count)d articles are overdue for review",
                len(overdue),
            )
            % {"count": len(overdue)}
        )
    if due:
        lines.append(f"\nDue within {days} days:")
        lines += [
            f"- {a.title} (due {a.next_review_due:%d %b %Y}): {_admin_url(a)}"
            for a in due
        ]
        parts.append(
            ngettext(
                "%(count)d article is due for review within %(days)d days",
                "%(count)d articles are due for review within %(days)d days",
                len(due),
            )
            % {"count": len(due), "days": days}
        )
    subject = f"[Reviews due] {len(overdue)} overdue, {len(due)} due soon"
    return Letter("; ".join(parts) + ".", subject, "\n".join(lines) + "\n")


def evidence_letter(alert) -> Letter:
    """A cited source of a live page has a notice: which reference, what
    happened, and the sentences of the page that cite it."""
    article, finding = alert.article, alert.finding
    values = {
        "number": alert.number,
        "title": article.title,
        "what": evidence_policy.phrase(alert.kind),
        "count": len(alert.sentences),
    }
    if alert.re_review:
        text = ngettext(
            "Reference %(number)s of “%(title)s” %(what)s: %(count)d sentence "
            "cites it. The page is due for re-review now.",
            "Reference %(number)s of “%(title)s” %(what)s: %(count)d sentences "
            "cite it. The page is due for re-review now.",
            len(alert.sentences),
        )
    else:
        text = ngettext(
            "Reference %(number)s of “%(title)s” %(what)s: %(count)d sentence "
            "cites it.",
            "Reference %(number)s of “%(title)s” %(what)s: %(count)d sentences "
            "cite it.",
            len(alert.sentences),
        )
    text = text % values
    when = finding.notice_date or timezone.localdate(finding.found_at)
    lines = [
        text,
        "",
        f"Source: {alert.reference.citation_key}: {alert.reference.title}",
        f"Notice: {finding.get_kind_display()}, {when:%d %B %Y}"
        + (f", {finding.link}" if finding.link else ""),
        "",
        "The sentences of the live page that cite it:",
        *(f"- {sentence}" for sentence in alert.sentences),
        "",
        f"Review screen: {absolute(review_path(article))}",
        f"Live page: {absolute(article.get_absolute_url())}",
    ]
    prefix = "[Re-review now]" if alert.re_review else "[Source notice]"
    return Letter(text, f"{prefix} {article.title}", "\n".join(lines) + "\n")


def report_path(report) -> str:
    return reverse("admin:articles_readerreport_change", args=[report.pk])


def report_letter(report) -> Letter:
    """A reader's report about a live page: what they chose, the passage they
    quoted and what they wrote (plain text: the email is never HTML)."""
    article = report.article
    text = _("A reader reported “%(title)s” as %(what)s.") % {
        "title": article.title,
        "what": report.get_category_display().lower(),
    }
    lines = [
        text,
        "",
        f"Revision {report.revision.number} "
        f"(content hash {report.revision.content_hash[:12]})",
    ]
    if report.quote:
        lines += ["", "The passage they quoted:", f"> {single_line(report.quote)}"]
    if report.text:
        lines += ["", "What they wrote:", report.text]
    lines += [
        "",
        f"The report: {absolute(report_path(report))}",
        f"Live page: {absolute(article.get_absolute_url())}",
    ]
    subject = f"[Reader report] {single_line(article.title)}"
    return Letter(text, subject, "\n".join(lines) + "\n")


# Kinds about an article and who acted: about = {"article": id, "actor": id}
# (no actor for a scheduled go-live).
ABOUT_ARTICLE = {
    Kind.SUBMITTED: _submitted,
    Kind.PUBLISHED: _published,
    Kind.WITHDRAWN: _withdrawn,
    Kind.REVIEW_WITHDRAWN: _review_withdrawn,
}
# Kinds about a decision: about = {"review": id}.
ABOUT_REVIEW = {Kind.DECIDED: _decision, Kind.APPROVED: _waiting}
# The digest: about = {"overdue": [article ids], "due": [article ids], "days": n}.


def letter(kind: str, about: dict) -> Letter | None:
    """The letter of a queued email, written now from the ids in `about`;
    None when what it is about has been deleted since."""
    if kind in ABOUT_REVIEW:
        review = (
            Review.objects.select_related("revision__article", "reviewer__contributor")
            .filter(pk=about.get("review"))
            .first()
        )
        return ABOUT_REVIEW[kind](review) if review else None
    if kind in ABOUT_ARTICLE:
        article = Article.objects.filter(pk=about.get("article")).first()
        actor = None
        if about.get("actor"):
            users = get_user_model().objects.select_related("contributor")
            actor = users.filter(pk=about["actor"]).first()
        return ABOUT_ARTICLE[kind](article, actor) if article else None
    if kind == Kind.EVIDENCE:
        alert = (
            EvidenceAlert.objects.select_related("article", "finding", "reference")
            .filter(pk=about.get("alert"))
            .first()
        )
        return evidence_letter(alert) if alert else None
    if kind == Kind.READER_REPORT:
        report = (
            ReaderReport.objects.select_related("article", "revision")
            .filter(pk=about.get("report"))
            .first()
        )
        return report_letter(report) if report else None
    if kind == Kind.REVIEWS_DUE:
        overdue, due = (
            list(
                Article.objects.filter(pk__in=about.get(key, [])).order_by(
                    "next_review_due", "pk"
                )
            )
            for key in ("overdue", "due")
        )
        return digest_letter(overdue, due, about.get("days", 0))
    return None
