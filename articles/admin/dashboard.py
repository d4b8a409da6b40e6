"""The review dashboard: queues, counts, overdue reviews and throughput."""

import datetime
import statistics

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import TruncWeek
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.models import Article, AuditEntry, Review

Status = Article.Status


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
