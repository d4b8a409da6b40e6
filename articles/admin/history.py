"""An article's history: the timeline, comparing revisions, and restoring one.

Each sign-off on the timeline says how its maker proved who they were.
Restoring is a sign-off too: it needs a fresh second-factor check.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from articles.admin import sign_off
from articles.admin.diffs import compare
from articles.admin.pages import article_for, page_context
from articles.models import AuditEntry, Review
from articles.names import person_name
from articles.workflow import WorkflowError, restore
from siteconf.admin_input import RefusesNul

# A decision is both a Review and an audit entry; the timeline shows the review.
DECISIONS = [AuditEntry.Action.APPROVE, AuditEntry.Action.REQUEST_CHANGES]
# The entries that record how their actor proved who they were.
SIGN_OFFS = {
    AuditEntry.Action.PUBLISH,
    AuditEntry.Action.SCHEDULE,
    AuditEntry.Action.UNPUBLISH,
    AuditEntry.Action.RESTORE,
}


class RestoreForm(RefusesNul, forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Why restore this revision?"),
        max_length=250,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=gettext_lazy(
            "Required. Kept in the history and as the new revision's change note."
        ),
    )


def timeline(article) -> list[dict]:
    """Revisions, decisions and other workflow events, newest first, each once."""
    events = []
    for revision in article.revisions.select_related("created_by__contributor"):
        text = _("Revision %(n)s saved") % {"n": revision.number}
        events.append(
            {
                "at": revision.created_at,
                "kind": _("revision"),
                "who": person_name(revision.created_by),
                "text": f"{text}: {revision.change_note}"
                if revision.change_note
                else text,
            }
        )
    for review in Review.objects.filter(revision__article=article).select_related(
        "revision"
    ):
        text = f"{review.get_decision_display()} " + _("revision %(n)s") % {
            "n": review.revision.number
        }
        events.append(
            {
                "at": review.created_at,
                "kind": _("decision"),
                "who": review.reviewer_byline,
                "text": f"{text}: {review.comment}" if review.comment else text,
                "proof": review.proof_text,
                "proof_method": review.proof_method or "none",
            }
        )
    entries = (
        AuditEntry.objects.filter(article=article)
        .exclude(action__in=DECISIONS)
        .select_related("actor__contributor")
    )
    for entry in entries:
        text = entry.get_action_display()
        if entry.from_status and entry.from_status != entry.to_status:
            text += f" ({entry.from_status} → {entry.to_status})".replace("_", " ")
        signed = entry.action in SIGN_OFFS and (
            entry.proof_method or entry.action != AuditEntry.Action.SCHEDULE
        )
        events.append(
            {
                "at": entry.created_at,
                "kind": _("workflow"),
                "who": person_name(entry.actor),
                "text": f"{text}: {entry.message}" if entry.message else text,
                "proof": entry.proof_text if signed else "",
                "proof_method": entry.proof_method or "none",
            }
        )
    events.sort(key=lambda e: e["at"], reverse=True)
    return events


def history(model_admin, request, object_id, extra_context=None):
    """Revisions, reviews and audit entries of one article on one timeline."""
    article = article_for(model_admin, request, object_id)
    revisions = [
        (revision, person_name(revision.created_by))
        for revision in article.revisions.select_related("created_by__contributor")
    ]
    return TemplateResponse(
        request,
        "admin/articles/article/history.html",
        page_context(
            model_admin,
            request,
            article,
            _("History: %(title)s") % {"title": article.title},
            events=timeline(article),
            revisions=revisions,
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
    """Restore an old revision into the working copy (a new draft revision),
    after a page that shows what comes back and asks why."""
    article = article_for(model_admin, request, object_id)
    if not model_admin.has_change_permission(request, article):
        raise PermissionDenied
    old = (
        article.revisions.select_related("created_by__contributor")
        .filter(number=number)
        .first()
    )
    if old is None:
        raise Http404(_("There is no such revision."))
    form = RestoreForm(request.POST if request.method == "POST" else None)
    signed = request.method != "POST" or sign_off.confirmed(request)
    if form.is_valid() and signed:
        try:
            revision = restore(
                article,
                int(number),
                by=request.user,
                note=form.cleaned_data["note"],
                proof=sign_off.proof(request),
            )
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _(
                    "Revision %(old)s restored as revision %(new)s; "
                    "it needs review again."
                )
                % {"old": number, "new": revision.number},
            )
        return HttpResponseRedirect(
            reverse("admin:articles_article_change", args=[article.pk])
        )
    diffs = [
        d
        for d in compare(article.current_revision, old, include_references=True)
        if d.changed
    ]
    return TemplateResponse(
        request,
        "admin/articles/article/restore.html",
        page_context(
            model_admin,
            request,
            article,
            _("Restore revision %(n)s: %(title)s")
            % {"n": old.number, "title": article.title},
            old=old,
            saved_by=person_name(old.created_by),
            diffs=diffs,
            form=form,
            status=article.get_status_display(),
            is_live=article.is_live,
            **sign_off.panel(request, refused=not signed),
        ),
    )
