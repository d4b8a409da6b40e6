"""An article's history: the timeline, comparing revisions, and restoring one."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from articles.admin.diffs import compare
from articles.admin.pages import article_for, page_context
from articles.models import AuditEntry, Review
from articles.workflow import WorkflowError, restore


def history(model_admin, request, object_id, extra_context=None):
    """Revisions, reviews and audit entries of one article on one timeline."""
    article = article_for(model_admin, request, object_id)
    events = []
    for revision in article.revisions.select_related("created_by"):
        events.append(
            {
                "at": revision.created_at,
                "kind": _("revision"),
                "who": revision.created_by,
                "text": _("Revision %(n)s saved") % {"n": revision.number}
                + (f": {revision.change_note}" if revision.change_note else ""),
                "revision": revision,
            }
        )
    for review in Review.objects.filter(revision__article=article).select_related(
        "revision", "reviewer"
    ):
        events.append(
            {
                "at": review.created_at,
                "kind": _("review"),
                "who": review.reviewer,
                "text": f"{review.get_decision_display()} "
                + _("revision %(n)s") % {"n": review.revision.number}
                + (f": {review.comment}" if review.comment else ""),
                "revision": review.revision,
            }
        )
    for entry in AuditEntry.objects.filter(article=article).select_related("actor"):
        events.append(
            {
                "at": entry.created_at,
                "kind": _("workflow"),
                "who": entry.actor,
                "text": f"{entry.get_action_display()}"
                + (
                    f" ({entry.from_status} → {entry.to_status})"
                    if entry.from_status
                    else ""
                )
                + (f": {entry.message}" if entry.message else ""),
                "revision": None,
            }
        )
    events.sort(key=lambda e: e["at"], reverse=True)
    return TemplateResponse(
        request,
        "admin/articles/article/history.html",
        page_context(
            model_admin,
            request,
            article,
            _("History: %(title)s") % {"title": article.title},
            events=events,
            revisions=article.revisions.all(),
            can_restore=model_admin.has_change_permission(request, article),
        ),
    )


def compare_view(model_admin, request, object_id):
    """A word-level diff of any two revisions (default: last approved → current)."""
    article = article_for(model_admin, request, object_id)
    revisions = list(article.revisions.select_related("created_by"))
    if not revisions:
        raise Http404
    by_number = {r.number: r for r in revisions}

    def pick(name, default):
        try:
            return by_number[int(request.GET[name])]
        except (KeyError, ValueError):
            return default

    base = article.last_approved_revision()
    if base == article.current_revision:
        base = by_number.get(base.number - 1) if base else None
    old = pick("from", base)
    new = pick("to", article.current_revision)
    return TemplateResponse(
        request,
        "admin/articles/article/compare.html",
        page_context(
            model_admin,
            request,
            article,
            _("Compare revisions: %(title)s") % {"title": article.title},
            revisions=revisions,
            old=old,
            new=new,
            diffs=compare(old, new),
        ),
    )


def restore_view(model_admin, request, object_id, number):
    """Restore an old revision into the working copy (a new draft revision)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    article = article_for(model_admin, request, object_id)
    if not model_admin.has_change_permission(request, article):
        raise PermissionDenied
    try:
        revision = restore(article, int(number), by=request.user)
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Revision %(old)s restored as revision %(new)s; it needs review again.")
            % {"old": number, "new": revision.number},
        )
    return HttpResponseRedirect(
        reverse("admin:articles_article_change", args=[article.pk])
    )
