"""The review screen: one page for a reviewer's decision.

The working revision as readers will see it, with the words changed since a
chosen earlier revision marked inline (or the source diff of every field), the
comments on the text beside it, and the decision. By default it compares with
the revision this reviewer last reviewed, so after "request changes" they see
the writer's fix; else with the last approved revision; on a first review
there is nothing to compare with, and the page says so.
"""

from dataclasses import dataclass

from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from articles import evidence_policy
from articles.admin import comments, decision, sign_off
from articles.admin.diffs import DIFF_FIELDS, Budget, compare, text_diff
from articles.admin.htmldiff import clean_html, html_diff
from articles.admin.pages import page_context
from articles.admin.reader_reports import open_reports
from articles.models import Article, EvidenceAlert, Review, Revision
from articles.workflow.review import open_comments, review_checklist

# Fields the rendered view shows itself; the others are listed as changed.
RENDERED_FIELDS = {"title", "summary", "body"}


@dataclass
class Baseline:
    """An earlier revision to compare the working one with."""

    key: str
    label: str
    revision: Revision | None
    explanation: str


def _day(moment) -> str:
    return date_format(timezone.localtime(moment), "j M Y")


def baselines(article: Article, user) -> list[Baseline]:
    """The comparisons on offer, the default first."""
    options = []
    current = article.current_revision
    mine = (
        Review.objects.filter(revision__article=article, reviewer=user)
        .select_related("revision")
        .order_by("-created_at")
        .first()
    )
    if mine is not None:
        values = {
            "number": mine.revision.number,
            "day": _day(mine.created_at),
            "decision": mine.get_decision_display().lower(),
        }
        if mine.revision == current:
            explanation = _(
                "You reviewed this very revision (%(number)s) on %(day)s "
                "(%(decision)s): nothing has changed since."
            )
        else:
            explanation = _(
                "Compared with revision %(number)s, which you reviewed on %(day)s "
                "(%(decision)s): only what changed since is marked."
            )
        options.append(
            Baseline(
                "mine",
                _("Since you last reviewed (revision %(number)s)") % values,
                mine.revision,
                explanation % values,
            )
        )
    approved = article.last_approved_revision()
    if approved is not None:
        values = {"number": approved.number}
        first = "" if mine else _("You have not reviewed this article before. ")
        options.append(
            Baseline(
                "approved",
                _("Since the last approved revision (%(number)s)") % values,
                approved,
                first
                + _("Compared with revision %(number)s, the last one approved.")
                % values,
            )
        )
    if article.live_revision is not None:
        values = {"number": article.live_revision.number}
        options.append(
            Baseline(
                "live",
                _("Since the live revision (%(number)s)") % values,
                article.live_revision,
                _("Compared with revision %(number)s, the one readers see now.")
                % values,
            )
        )
    if options:
        nothing = _("Nothing compared: the whole text as readers will see it.")
    else:
        nothing = _(
            "First review: nobody has reviewed this article before, so all of it "
            "is new and nothing is marked. Read it all."
        )
    options.append(Baseline("none", _("Nothing: show the whole text"), None, nothing))
    return options


def rendered_parts(old: Revision | None, new: Revision) -> dict:
    """Title, summary, body and references, changes since `old` marked, all
    within one time budget."""
    if old is None:
        return {
            "title": escape(new.title),
            "summary": escape(new.summary),
            "body": clean_html(new.body_html),
            "references": clean_html(new.references_html),
        }
    budget = Budget()
    title = text_diff(old.title, new.title, budget)
    summary = text_diff(old.summary, new.summary, budget)
    body = html_diff(old.body_html, new.body_html, budget=budget)
    references = html_diff(old.references_html, new.references_html, budget=budget)
    return {
        "title": title.html,
        "summary": summary.html,
        "body": body.html,
        "inserted": body.inserted,
        "deleted": body.deleted,
        "references": references.html,
        "coarse": any(d.coarse for d in (title, summary, body, references)),
    }


def other_changes(old: Revision | None, new: Revision) -> list[str]:
    """The labels of the changed fields the rendered view does not show."""
    if old is None:
        return []
    labels = [
        label
        for name, label in DIFF_FIELDS
        if name not in RENDERED_FIELDS and getattr(old, name) != getattr(new, name)
    ]
    if old.cited != new.cited:
        labels.append(_("Cited references"))
    return labels


def evidence_alerts(article: Article, current: Revision) -> list[EvidenceAlert]:
    """The article's open evidence alerts: what each notice says, and the
    sentences of the live page that cite its source."""
    cited = {ref.get("id") for ref in current.cited}
    alerts = list(
        EvidenceAlert.objects.open()
        .filter(article=article)
        .select_related("finding", "reference", "revision")
        .order_by("number", "pk")
    )
    for alert in alerts:
        finding = alert.finding
        alert.phrase = evidence_policy.phrase(alert.kind)
        alert.notice_date = finding.notice_date or timezone.localdate(finding.found_at)
        alert.link = finding.link
        alert.still_cited = alert.reference_id in cited
    return alerts


def review_screen(model_admin, request, object_id):
    """GET: the screen. POST: the decision (see articles/admin/decision.py)."""
    article = comments.discussed_article(model_admin, request, object_id)
    current = article.current_revision
    if current is None:
        raise Http404
    form = None
    if request.method == "POST":
        response, form = decision.decide(request, article)
        if response is not None:
            return response
    options = baselines(article, request.user)
    chosen = next(
        (o for o in options if o.key == request.GET.get("against")), options[0]
    )
    source = request.GET.get("view") == "source"
    if form is None:
        form = decision.DecisionForm(
            open_count=len(open_comments(article)), revision=current
        )
    all_comments = comments.comments_for(request.user, article)
    can_decide = decision.can_decide(request.user, article)
    refused = getattr(form, "step_up_refused", False)
    return TemplateResponse(
        request,
        "admin/articles/article/review.html",
        page_context(
            model_admin,
            request,
            article,
            _("Review: %(title)s") % {"title": current.title},
            revision=current,
            options=options,
            chosen=chosen,
            view="source" if source else "rendered",
            view_links={
                name: "?" + urlencode({"against": chosen.key, "view": name})
                for name in ("rendered", "source")
            },
            diffs=compare(chosen.revision, current) if source else None,
            parts=None if source else rendered_parts(chosen.revision, current),
            other_changes=other_changes(chosen.revision, current),
            open_review_comments=[c for c in all_comments if c["open"]],
            resolved_review_comments=[c for c in all_comments if not c["open"]],
            can_decide=can_decide,
            decision_form=form,
            checklist_items=review_checklist(),
            last_decision=last_decision(article),
            evidence_alerts=evidence_alerts(article, current),
            reader_reports=open_reports(article),
            **(sign_off.panel(request, refused) if can_decide else {}),
        ),
    )


def last_decision(article: Article) -> Review | None:
    """The latest decision on the article, with how its reviewer proved it."""
    return (
        Review.objects.filter(revision__article=article)
        .select_related("revision")
        .order_by("-created_at", "-id")
        .first()
    )


def urls(wrap) -> list:
    """The screen and the comment endpoints, for ArticleAdmin.get_urls."""
    return [
        path(
            "<path:object_id>/review/",
            wrap(review_screen),
            name="articles_article_review",
        ),
        path(
            "<path:object_id>/comments/",
            wrap(comments.add_comment),
            name="articles_article_comment_add",
        ),
        path(
            "<path:object_id>/comments/<int:comment_id>/resolve/",
            wrap(comments.resolve_comment),
            name="articles_article_comment_resolve",
        ),
    ]
