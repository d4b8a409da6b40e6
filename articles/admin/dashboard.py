"""The dashboard: what waits for you in each of your roles, counts by state,
the calendar of the coming weeks, overdue reviews, retractions, throughput,
and the recent approvals with how each reviewer proved who they were.

Every part is one query (or none), so the page costs the same for ten
articles or ten thousand.
"""

import datetime
import statistics

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Left, TruncWeek
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from articles.admin.evidence import evidence_box, rereview_group
from articles.admin.form_top import teaser
from articles.admin.reader_reports import rereview_group as reader_rereviews
from articles.admin.usefulness import usefulness_box
from articles.models import Article, AuditEntry, Review, ReviewComment
from articles.roles import sees_every_article

Status = Article.Status
CALENDAR_WEEKS = 8
LIST_LIMIT = 20
RECENT_APPROVALS = 10
# A reviewer's comment to a writer: shown whole up to COMMENT_SHOWN characters,
# else cut at a word with "more"; past COMMENT_READ, read on the article's page.
COMMENT_SHOWN = 320
COMMENT_READ = 3000
# What the lists show of an article: never the body or the prepared pages.
COLUMNS = [
    "title",
    "status",
    "updated_at",
    "publish_at",
    "unpublish_at",
    "next_review_due",
    "live_revision_id",
]


def humane_duration(hours: float | None) -> str:
    """A duration as people say it: "under a minute", "12 minutes", "3 hours",
    "2 days" (rounded to the nearest unit that reads well)."""
    if hours is None:
        return ""
    minutes = round(hours * 60)
    if minutes < 1:
        return _("under a minute")
    if minutes < 60:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    if hours < 47.5:
        n = round(hours)
        return ngettext("%(n)d hour", "%(n)d hours", n) % {"n": n}
    n = round(hours / 24)
    return ngettext("%(n)d day", "%(n)d days", n) % {"n": n}


def changelist_url(**params) -> str:
    """The article list with the filters it offers itself (see filters.py)."""
    url = reverse("admin:articles_article_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def visible_articles(user):
    """The articles the article list shows this user (writers: their own)."""
    if sees_every_article(user):
        return Article.objects.all()
    return Article.objects.filter(pk__in=Article.objects.editable_by(user).values("pk"))


def _latest_review(field: str) -> Subquery:
    return Subquery(
        Review.objects.filter(revision__article=OuterRef("pk"))
        .order_by("-created_at")
        .values(field)[:1]
    )


def _open_comments() -> Coalesce:
    return Coalesce(
        Subquery(
            ReviewComment.objects.filter(article=OuterRef("pk"), resolved_at=None)
            .order_by()
            .values("article")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        0,
    )


def _group(key, heading, items, url, empty) -> dict:
    return {
        "key": key,
        "heading": heading,
        "items": items[:LIST_LIMIT],
        "more": len(items) > LIST_LIMIT,
        "url": url,
        "empty": empty,
    }


def waiting_for(user) -> list[dict]:
    """What waits for this user, one group per role they hold."""
    groups = []
    if user.has_perm("articles.review_article"):
        submitted = AuditEntry.objects.filter(
            article=OuterRef("pk"), action=AuditEntry.Action.SUBMIT
        ).order_by("-created_at")
        queue = list(
            Article.objects.awaiting_review_by(user)
            .only(*COLUMNS)
            .annotate(submitted_at=Subquery(submitted.values("created_at")[:1]))
            .order_by("updated_at")[: LIST_LIMIT + 1]
        )
        groups.append(
            _group(
                "review",
                _("My queue: awaiting your review"),
                queue,
                changelist_url(mine="review"),
                _("No article is waiting for your review."),
            )
        )
        groups += [rereview_group(user), reader_rereviews(user, LIST_LIMIT)]
    is_editor = user.has_perm("articles.publish_article")
    if is_editor:
        # Scheduled ones too (after those nobody has scheduled yet), so that
        # the group matches the list it links to.
        approved = list(
            Article.objects.filter(status=Status.APPROVED)
            .only(*COLUMNS)
            .order_by(F("publish_at").asc(nulls_first=True), "updated_at")[
                : LIST_LIMIT + 1
            ]
        )
        groups.append(
            _group(
                "publish",
                _("Approved, waiting to be published"),
                approved,
                changelist_url(status__exact=Status.APPROVED),
                _("No approved article is waiting to be published."),
            )
        )
    if user.has_perm("articles.add_article"):
        mine = list(
            Article.objects.filter(
                pk__in=Article.objects.filter(
                    authors__user=user,
                    status__in=[Status.CHANGES_REQUESTED, Status.DRAFT],
                ).values("pk")
            )
            .only(*COLUMNS)
            .annotate(
                reviewer_name=_latest_review("reviewer_name"),
                reviewed_at=_latest_review("created_at"),
                # Enough to read here; the article's page shows any more.
                review_comment=Left(_latest_review("comment"), COMMENT_READ + 1),
                open_comments=_open_comments(),
            )
            .order_by("-updated_at")[: 2 * LIST_LIMIT + 1]
        )
        sent_back = [a for a in mine if a.status == Status.CHANGES_REQUESTED]
        for article in sent_back:
            comment = article.review_comment or ""
            article.comment_cut_off = len(comment) > COMMENT_READ
            article.review_comment = teaser(comment, COMMENT_READ)[0]
            article.comment_teaser, article.comment_rest = teaser(
                article.review_comment, COMMENT_SHOWN
            )
        drafts = [a for a in mine if a.status == Status.DRAFT]
        # Editors who write see their own work; others always see the group.
        if mine or not is_editor:
            groups.append(
                _group(
                    "changes",
                    _("Changes requested on your articles"),
                    sent_back,
                    changelist_url(
                        mine="authored", status__exact=Status.CHANGES_REQUESTED
                    ),
                    _("No reviewer has sent an article back to you."),
                )
            )
            groups.append(
                _group(
                    "drafts",
                    _("Your drafts"),
                    drafts,
                    changelist_url(mine="authored", status__exact=Status.DRAFT),
                    _("No drafts."),
                )
            )
    return groups


def state_counts(articles) -> list[dict]:
    """How many articles are in each state, each linking to the filtered list."""
    counts = dict(articles.order_by().values_list("status").annotate(n=Count("pk")))
    return [
        {
            "label": label,
            "count": counts.get(value, 0),
            "url": changelist_url(status__exact=value),
        }
        for value, label in Status.choices
    ]


def calendar(articles, today: datetime.date) -> tuple[list[dict], list[Article]]:
    """The coming weeks as an agenda: go-lives, withdrawals and reviews due.

    Returns the weeks (from this Monday) and the schedules already late.
    """
    monday = today - datetime.timedelta(days=today.weekday())
    end = monday + datetime.timedelta(weeks=CALENDAR_WEEKS)
    zone = timezone.get_current_timezone()
    end_at = datetime.datetime.combine(end, datetime.time.min, tzinfo=zone)
    late_at = timezone.now() - datetime.timedelta(minutes=5)
    rows = articles.filter(
        Q(publish_at__lt=end_at)
        | Q(unpublish_at__lt=end_at)
        | Q(
            live_revision__isnull=False,
            next_review_due__gte=today,
            next_review_due__lt=end,
        )
    ).only(*COLUMNS)[:500]
    weeks = [
        {
            "start": monday + datetime.timedelta(weeks=n),
            "end": monday + datetime.timedelta(weeks=n, days=6),
            "events": [],
        }
        for n in range(CALENDAR_WEEKS)
    ]
    late = []
    for article in rows:
        events = []
        for kind, at, label in (
            ("golive", article.publish_at, _("Goes live")),
            ("withdrawal", article.unpublish_at, _("Withdrawn")),
        ):
            if at is None:
                continue
            if at < late_at:
                late.append(article)
            else:
                events.append((timezone.localtime(at), kind, label))
        due = article.next_review_due
        if article.live_revision_id and due is not None and today <= due < end:
            events.append((due, "review", _("Review due")))
        for when, kind, label in events:
            day = when.date() if isinstance(when, datetime.datetime) else when
            week = weeks[min(max((day - monday).days // 7, 0), CALENDAR_WEEKS - 1)]
            week["events"].append(
                {
                    "day": day,
                    "at": when if isinstance(when, datetime.datetime) else None,
                    "kind": kind,
                    "label": label,
                    "article": article,
                }
            )
    for week in weeks:
        week["events"].sort(key=lambda e: (e["day"], e["at"] is None, str(e["at"])))
    return weeks, late


def median_hours_to_decision(days: int = 90) -> tuple[float | None, int]:
    """The median time from the latest submission to each decision, in hours,
    over the decisions of the last `days` days; and how many there were."""
    since = timezone.now() - datetime.timedelta(days=days)
    latest_submit = (
        AuditEntry.objects.filter(
            article=OuterRef("revision__article"),
            action=AuditEntry.Action.SUBMIT,
            created_at__lte=OuterRef("created_at"),
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    pairs = (
        Review.objects.filter(created_at__gte=since)
        .annotate(submitted_at=Subquery(latest_submit))
        .exclude(submitted_at=None)
        .values_list("created_at", "submitted_at")
    )
    # The difference is taken here: database date arithmetic on a subquery
    # differs between SQLite and PostgreSQL.
    waits = [
        (decided - submitted).total_seconds() / 3600
        for decided, submitted in pairs
        if decided >= submitted
    ]
    return (statistics.median(waits) if waits else None), len(waits)


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


def weekly_decisions(today: datetime.date) -> dict:
    """Approvals and changes requested in each of the last 12 weeks, charted."""
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
        week = row["week"]
        if isinstance(week, datetime.datetime):
            week = timezone.localdate(week) if timezone.is_aware(week) else week.date()
        approved, changes = weeks.get(week, (0, 0))
        if row["decision"] == Review.Decision.APPROVED:
            approved += row["n"]
        else:
            changes += row["n"]
        weeks[week] = (approved, changes)
    this_monday = today - datetime.timedelta(days=today.weekday())
    last_12 = [this_monday - datetime.timedelta(weeks=n) for n in range(11, -1, -1)]
    return decisions_chart([(w, *weeks.get(w, (0, 0))) for w in last_12])


def recent_approvals(articles) -> list[Review]:
    """The latest approvals of these articles, with their proof."""
    return list(
        Review.objects.filter(
            decision=Review.Decision.APPROVED,
            revision__article__in=articles.values("pk"),
        )
        .select_related("revision__article")
        .order_by("-created_at", "-id")[:RECENT_APPROVALS]
    )


def dashboard(model_admin, request):
    """What waits for me, counts by state, the calendar, overdue reviews,
    retracted sources and throughput."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    user = request.user
    today = timezone.localdate()
    articles = visible_articles(user)
    weeks, late = calendar(articles, today)
    median_hours, decisions = median_hours_to_decision()
    return TemplateResponse(
        request,
        "admin/articles/dashboard.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": Article._meta,
            "title": _("Dashboard"),
            "waiting": waiting_for(user),
            "state_counts": state_counts(articles),
            "overdue": list(
                articles.review_overdue(today)
                .only(*COLUMNS)
                .order_by("next_review_due")[:LIST_LIMIT]
            ),
            "retracted": list(
                articles.live().citing_retracted().only(*COLUMNS)[:LIST_LIMIT]
            ),
            "weeks": weeks,
            "calendar_weeks": CALENDAR_WEEKS,
            "late_schedules": late,
            "median": humane_duration(median_hours),
            "decisions_counted": decisions,
            "chart": weekly_decisions(today),
            "recent_approvals": recent_approvals(articles),
            "today": today,
            "overdue_url": changelist_url(due="overdue"),
            "retracted_url": changelist_url(sources="urgent"),
            "evidence": evidence_box(user),
            "usefulness": usefulness_box(user, today),
        },
    )
