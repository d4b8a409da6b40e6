"""The dashboard's "Reader feedback" box: how useful readers found the site's
pages and each article in the last 30 days, the trend against the 30 days
before, a 12-week sparkline, and the reports still open.

Read from the daily counts (PageVotes), summed by the database: six
queries, however many readers and articles.
"""

import datetime

from django.db.models import Count, F, FloatField, Q, Sum
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse

from articles.models import Article, PageVotes, ReaderReport

PERIOD_DAYS = 30
WEEKS = 12
# Fewer answers than this say little: such articles are not ranked.
MIN_ANSWERS = 5
LIST_LIMIT = 8
SPARK_WIDTH, SPARK_HEIGHT = 96, 24


def rate(yes: int, no: int) -> int | None:
    """Percent of answers that said yes; None with no answers."""
    total = yes + no
    return round(100 * yes / total) if total else None


def sparkline(weekly: list[tuple[int, int]]) -> dict:
    """SVG points for the weekly rates, oldest first (weeks with no answers
    are left out of the line), and a text alternative."""
    step = SPARK_WIDTH / max(len(weekly) - 1, 1)
    points, spoken = [], []
    for index, (yes, no) in enumerate(weekly):
        value = rate(yes, no)
        spoken.append("–" if value is None else f"{value}%")
        if value is not None:
            y = SPARK_HEIGHT - 2 - (SPARK_HEIGHT - 4) * value / 100
            points.append(f"{index * step:.1f},{y:.1f}")
    return {
        "points": " ".join(points),
        "width": SPARK_WIDTH,
        "height": SPARK_HEIGHT,
        "label": ", ".join(spoken),
    }


def _trend(now: int | None, before: int | None) -> int | None:
    return None if now is None or before is None else now - before


def _sums(recent: datetime.date) -> dict:
    """Yes and no in the period and in the one before it, as aggregates."""
    return {
        "yes_now": Coalesce(Sum("yes", filter=Q(day__gte=recent)), 0),
        "no_now": Coalesce(Sum("no", filter=Q(day__gte=recent)), 0),
        "yes_before": Coalesce(Sum("yes", filter=Q(day__lt=recent)), 0),
        "no_before": Coalesce(Sum("no", filter=Q(day__lt=recent)), 0),
    }


def _weeks(rows, today: datetime.date) -> list[tuple[int, int]]:
    """(yes, no) per week, oldest first, from (day, yes, no) rows."""
    weeks = [[0, 0] for _ in range(WEEKS)]
    for day, yes, no in rows:
        week = WEEKS - 1 - (today - day).days // 7
        if 0 <= week < WEEKS:
            weeks[week][0] += yes
            weeks[week][1] += no
    return [tuple(week) for week in weeks]


def _figures(sums: dict) -> dict:
    now = rate(sums["yes_now"], sums["no_now"])
    return {
        "yes": sums["yes_now"],
        "no": sums["no_now"],
        "answers": sums["yes_now"] + sums["no_now"],
        "rate": now,
        "trend": _trend(now, rate(sums["yes_before"], sums["no_before"])),
    }


def usefulness_box(user, today: datetime.date) -> dict | None:
    """The box's figures, for editors and reviewers; None for others."""
    if not user.has_perm("articles.view_pagevotes"):
        return None
    recent = today - datetime.timedelta(days=PERIOD_DAYS - 1)
    before = recent - datetime.timedelta(days=PERIOD_DAYS)
    spark_start = today - datetime.timedelta(days=7 * WEEKS - 1)
    counts = PageVotes.objects.filter(day__gte=before)
    answers = F("yes_now") + F("no_now")
    # The least useful first: where readers say the page let them down.
    ranked = list(
        counts.values("article_id")
        .annotate(**_sums(recent))
        .annotate(answers=answers)
        .filter(answers__gte=MIN_ANSWERS)
        .annotate(share=Cast(F("yes_now"), FloatField()) / F("answers"))
        .order_by("share", "-no_now", "article_id")[:LIST_LIMIT]
    )
    ids = [row["article_id"] for row in ranked]
    titles = dict(Article.objects.filter(pk__in=ids).values_list("pk", "title"))
    open_reports = dict(
        ReaderReport.objects.open()
        .filter(article_id__in=ids)
        .order_by()
        .values("article_id")
        .annotate(n=Count("pk"))
        .values_list("article_id", "n")
    )
    weekly: dict[int, list] = {}
    for pk, day, yes, no in PageVotes.objects.filter(
        article_id__in=ids, day__gte=spark_start
    ).values_list("article_id", "day", "yes", "no"):
        weekly.setdefault(pk, []).append((day, yes, no))
    queue = reverse("admin:articles_readerreport_changelist")
    articles = [
        {
            "pk": row["article_id"],
            "title": titles.get(row["article_id"], "?"),
            **_figures(row),
            "spark": sparkline(_weeks(weekly.get(row["article_id"], []), today)),
            "open_reports": open_reports.get(row["article_id"], 0),
            "queue_url": f"{queue}?article={row['article_id']}",
        }
        for row in ranked
    ]
    site_days = list(
        PageVotes.objects.filter(day__gte=min(before, spark_start))
        .order_by()
        .values("day")
        .annotate(y=Sum("yes"), n=Sum("no"))
        .values_list("day", "y", "n")
    )
    site = {"yes_now": 0, "no_now": 0, "yes_before": 0, "no_before": 0}
    for day, yes, no in site_days:
        if day >= before:
            suffix = "_now" if day >= recent else "_before"
            site["yes" + suffix] += yes
            site["no" + suffix] += no
    return {
        **_figures(site),
        "spark": sparkline(_weeks(site_days, today)),
        "articles": articles,
        "new_reports": ReaderReport.objects.filter(
            state=ReaderReport.State.NEW
        ).count(),
        "queue_url": queue,
        "days": PERIOD_DAYS,
        "weeks": WEEKS,
        "min_answers": MIN_ANSWERS,
    }
