"""Extra admin pages for articles: history, compare, restore, preview links,
and the review dashboard. `ArticleAdmin.get_urls` mounts them."""

import datetime
import statistics

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import TruncWeek
from django.http import (
    Http404,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.admin.diffs import compare
from articles.models import Article, AuditEntry, PreviewLink, Review
from articles.roles import sees_every_article
from articles.workflow import WorkflowError, restore

Status = Article.Status


def _context(model_admin, request, article, title, **extra) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": Article._meta,
        "original": article,
        "title": title,
        **extra,
    }


def _article(model_admin, request, object_id) -> Article:
    article = model_admin.get_object(request, object_id)
    if article is None:
        raise Http404
    if not model_admin.has_view_or_change_permission(request, article):
        raise PermissionDenied
    return article


def history(model_admin, request, object_id, extra_context=None):
    """Revisions, reviews and audit entries of one article on one timeline."""
    article = _article(model_admin, request, object_id)
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
        _context(
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
    article = _article(model_admin, request, object_id)
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
        _context(
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
    article = _article(model_admin, request, object_id)
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


def preview_links(model_admin, request, object_id):
    """List, create and revoke shareable preview links (editors and reviewers)."""
    article = _article(model_admin, request, object_id)
    if not sees_every_article(request.user):
        raise PermissionDenied
    if request.method == "POST":
        if "revoke" in request.POST:
            try:
                pk = int(request.POST["revoke"])
            except ValueError:
                return HttpResponseBadRequest(_("That is not a preview link."))
            link = get_object_or_404(PreviewLink, pk=pk, revision__article=article)
            if link.revoked_at is None:
                link.revoked_at = timezone.now()
                link.revoked_by = request.user
                link.save(update_fields=["revoked_at", "revoked_by"])
            messages.success(request, _("The preview link was revoked."))
        else:
            try:
                days = int(request.POST.get("days") or PreviewLink.DEFAULT_DAYS)
            except ValueError:
                days = PreviewLink.DEFAULT_DAYS
            days = max(1, min(days, 30))
            now = timezone.now()
            if article.current_revision is None:
                messages.error(request, _("Save the article first."))
            else:
                PreviewLink.objects.create(
                    revision=article.current_revision,
                    created_by=request.user,
                    created_at=now,
                    expires_at=now + datetime.timedelta(days=days),
                    note=request.POST.get("note", "")[:200],
                )
                messages.success(
                    request,
                    _("Preview link created; it expires in %(days)s days.")
                    % {"days": days},
                )
        return HttpResponseRedirect(request.path)
    links = PreviewLink.objects.filter(revision__article=article).select_related(
        "revision", "created_by"
    )
    return TemplateResponse(
        request,
        "admin/articles/article/preview_links.html",
        _context(
            model_admin,
            request,
            article,
            _("Share a preview: %(title)s") % {"title": article.title},
            links=links,
            now=timezone.now(),
            default_days=PreviewLink.DEFAULT_DAYS,
        ),
    )


def decisions_chart(weeks: list[tuple[datetime.date, int, int]]) -> dict:
    """Geometry for a small stacked bar chart drawn as server-side SVG."""
    width, height, gap = 16, 80, 6
    top = max((a + c for _, a, c in weeks), default=0) or 1
    bars = []
    for index, (week, approved, changes) in enumerate(weeks):
        x = index * (width + gap)
        approved_h = round(approved / top * height)
        changes_h = round(changes / top * height)
        bars.append(
            {
                "x": x,
                "week": week,
                # Label every fourth week and the current one, so labels fit.
                "labelled": index % 4 == 0 or index == len(weeks) - 1,
                "approved": approved,
                "changes": changes,
                "approved_y": height - approved_h,
                "approved_h": approved_h,
                "changes_y": height - approved_h - changes_h,
                "changes_h": changes_h,
            }
        )
    return {
        "bars": bars,
        "width": max(len(weeks) * (width + gap), 1),
        "height": height + 16,
        "baseline": height + 0.5,
        "bar_width": width,
        "max": top,
    }


def dashboard(model_admin, request):
    """My queue, counts by state, overdue reviews, retractions and throughput."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    user = request.user
    today = timezone.localdate()
    articles = Article.objects.all()
    my_queue = list(
        articles.awaiting_review_by(user).select_related("current_revision")[:20]
        if user.has_perm("articles.review_article")
        else []
    )
    sent_back = list(
        articles.filter(status=Status.CHANGES_REQUESTED, authors__user=user)[:20]
    )
    counts = dict(articles.order_by().values_list("status").annotate(n=Count("pk")))
    state_counts = [(label, counts.get(value, 0)) for value, label in Status.choices]
    overdue = list(articles.review_overdue(today).order_by("next_review_due")[:20])
    due_soon = list(
        articles.review_due_within(30, today).order_by("next_review_due")[:20]
    )
    retracted = list(articles.live().citing_retracted()[:20])
    late_schedules = list(
        articles.filter(publish_at__lt=timezone.now() - datetime.timedelta(minutes=5))[
            :20
        ]
    )

    since = timezone.now() - datetime.timedelta(days=90)
    first_submit = (
        AuditEntry.objects.filter(
            article=OuterRef("revision__article"),
            action=AuditEntry.Action.SUBMIT,
            created_at__lte=OuterRef("created_at"),
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    waits = (
        Review.objects.filter(created_at__gte=since)
        .annotate(submitted_at=Subquery(first_submit))
        .exclude(submitted_at=None)
        .annotate(wait=F("created_at") - F("submitted_at"))
        .values_list("wait", flat=True)
    )
    wait_hours = [w.total_seconds() / 3600 for w in waits if w is not None]
    median_hours = statistics.median(wait_hours) if wait_hours else None

    weekly = (
        Review.objects.filter(
            created_at__gte=timezone.now() - datetime.timedelta(weeks=12)
        )
        .annotate(week=TruncWeek("created_at"))
        .values("week", "decision")
        .annotate(n=Count("pk"))
        .order_by("week")
    )
    weeks: dict = {}
    for row in weekly:
        week = (
            timezone.localdate(row["week"])
            if timezone.is_aware(row["week"])
            else row["week"]
        )
        approved, changes = weeks.get(week, (0, 0))
        if row["decision"] == Review.Decision.APPROVED:
            approved += row["n"]
        else:
            changes += row["n"]
        weeks[week] = (approved, changes)
    this_monday = today - datetime.timedelta(days=today.weekday())
    last_12 = [this_monday - datetime.timedelta(weeks=n) for n in range(11, -1, -1)]
    chart = decisions_chart([(w, *weeks.get(w, (0, 0))) for w in last_12])
    return TemplateResponse(
        request,
        "admin/articles/dashboard.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": Article._meta,
            "title": _("Review dashboard"),
            "my_queue": my_queue,
            "sent_back": sent_back,
            "state_counts": state_counts,
            "overdue": overdue,
            "due_soon": due_soon,
            "retracted": retracted,
            "late_schedules": late_schedules,
            "median_hours": median_hours,
            "decisions_counted": len(wait_hours),
            "chart": chart,
            "today": today,
        },
    )
