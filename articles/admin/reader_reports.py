"""The desk's queue of readers' reports: for the site and per article,
filtered by category and state; each report with the revision it was made on
and the quoted passage highlighted in that revision's text; and the steps
(triage, confirm, dismiss, actioned, replied) of articles/reader_reports.py.

Reviewers and editors triage; writers see the reports about their articles.
Everything a reader typed is shown escaped.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from articles import reader_reports
from articles.claims import find_passage
from articles.models import Article, ReaderReport
from siteconf.admin_input import RefusesBadInput

State = ReaderReport.State
CONTEXT_CHARS = 300
STEPS = {
    "triage": (reader_reports.triage, gettext_lazy("Marked as triaged.")),
    "confirm": (
        reader_reports.confirm,
        gettext_lazy(
            "Confirmed: the page is due for re-review now, and the report waits "
            "in its reviewer's queue until a reviewed revision goes live."
        ),
    ),
    "dismiss": (reader_reports.dismiss, gettext_lazy("Dismissed.")),
    "actioned": (reader_reports.mark_actioned, gettext_lazy("Marked as actioned.")),
    "replied": (
        reader_reports.mark_replied,
        gettext_lazy("Marked as replied: the reader's email address is deleted."),
    ),
}


def passage(report: ReaderReport) -> dict | None:
    """The quoted passage in the text of the revision the reader read, with
    some text either side, for highlighting; None when it is not found there."""
    found = find_passage(report.revision.body_html, report.quote)
    if found is None:
        return None
    before, quote, after = found
    return {
        "before": ("…" if len(before) > CONTEXT_CHARS else "")
        + before[-CONTEXT_CHARS:],
        "quote": quote,
        "after": Truncator(after).chars(CONTEXT_CHARS),
    }


class ArticleQueueFilter(admin.SimpleListFilter):
    """One article's reports (?article=<id>, from its page): the queue per
    article. Only the chosen article is listed, so the filter costs nothing."""

    title = gettext_lazy("article")
    parameter_name = "article"

    def lookups(self, request, model_admin):
        # A filter with no choices is not applied at all, so an id that names
        # no article still gets one (and its empty list), never every report.
        value = self.value()
        if not value:
            return []
        title = None
        if value.isdigit() and len(value) < 19:
            title = Article.objects.filter(pk=value).values_list("title", flat=True)
            title = next(iter(title), None)
        return [(value, title or _("No such article"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit() and len(value) < 19:
            return queryset.filter(article_id=value)
        if value:
            return queryset.none()
        return queryset


class OpenFilter(admin.SimpleListFilter):
    """Open reports (new or triaged) by default: the work still to do."""

    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", _("Open (new or triaged)")), *State.choices, ("all", _("All"))]

    def choices(self, changelist):
        value = self.value() or "open"
        for lookup, title in self.lookup_choices:
            query = changelist.get_query_string({self.parameter_name: lookup})
            yield {
                "selected": value == lookup,
                "query_string": query,
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or "open"
        if value == "open":
            return queryset.open()
        if value in State.values:
            return queryset.filter(state=value)
        return queryset


@admin.register(ReaderReport)
class ReaderReportAdmin(RefusesBadInput, admin.ModelAdmin):
    list_display = [
        "created_at",
        "article_link",
        "category",
        "quote_shown",
        "state",
        "confirmed_shown",
    ]
    list_filter = [OpenFilter, "category", ArticleQueueFilter]
    list_select_related = ["article"]
    search_fields = ["text", "quote", "article__title"]
    list_per_page = 50
    actions = ["triage_selected", "dismiss_selected"]
    change_form_template = "admin/articles/readerreport/change_form.html"
    fields = ["staff_note"]

    # Who sees and does what ------------------------------------------------

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("article", "revision")
        return queryset.visible_to(request.user)

    # The list -------------------------------------------------------------

    @admin.display(description=gettext_lazy("article"), ordering="article__title")
    def article_link(self, obj):
        return format_html(
            '<a href="{}?article={}">{}</a>',
            reverse("admin:articles_readerreport_changelist"),
            obj.article_id,
            obj.article.title,
        )

    @admin.display(description=gettext_lazy("quoted passage"))
    def quote_shown(self, obj):
        return Truncator(obj.quote or obj.text).chars(80) or "—"

    @admin.display(description=gettext_lazy("re-review"), boolean=True)
    def confirmed_shown(self, obj):
        return obj.confirmed_at is not None

    @admin.action(description=gettext_lazy("Mark as triaged"), permissions=["change"])
    def triage_selected(self, request, queryset):
        self._bulk(request, queryset, reader_reports.triage)

    @admin.action(description=gettext_lazy("Dismiss"), permissions=["change"])
    def dismiss_selected(self, request, queryset):
        self._bulk(request, queryset, reader_reports.dismiss)

    def _bulk(self, request, queryset, step) -> None:
        moved = sum(step(report, request.user) for report in queryset[:500])
        self.message_user(
            request,
            _("%(count)d report(s) changed.") % {"count": moved},
            messages.SUCCESS,
        )

    # One report -------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self.get_object(request, object_id)
        extra = {}
        if report is not None:
            extra = {
                "report": report,
                "passage": passage(report),
                "live_revision_id": Article.objects.filter(
                    pk=report.article_id
                ).values_list("live_revision_id", flat=True)[0],
                "can_act": self.has_change_permission(request, report),
                "steps_url": reverse(
                    "admin:articles_readerreport_step", args=[report.pk]
                ),
            }
        return super().change_view(
            request, object_id, form_url, {**extra, **(extra_context or {})}
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/step/",
                self.admin_site.admin_view(require_POST(self.step_view)),
                name="articles_readerreport_step",
            ),
            *super().get_urls(),
        ]

    def step_view(self, request, pk):
        report = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, report):
            raise PermissionDenied
        step = STEPS.get(request.POST.get("step", ""))
        if step is None:
            messages.error(request, _("Choose what to do with the report."))
        elif step[0](report, request.user):
            messages.success(request, str(step[1]))
        else:
            messages.warning(
                request,
                _("Nothing changed: the report is %(state)s already.")
                % {"state": report.get_state_display().lower()},
            )
        return HttpResponseRedirect(
            reverse("admin:articles_readerreport_change", args=[report.pk])
        )


def open_reports(article: Article) -> list[ReaderReport]:
    """The article's confirmed reports waiting for a reviewed revision, each
    with its passage, for the review screen."""
    reports = list(
        ReaderReport.objects.confirmed_open()
        .filter(article=article)
        .select_related("revision")
        .order_by("confirmed_at", "pk")[:20]
    )
    for report in reports:
        report.passage = passage(report)
    return reports


def rereview_group(user, limit: int) -> dict:
    """The reviewer's "Re-review now: readers reported a problem" group."""
    reports = list(
        reader_reports.rereviews_for(user)
        .select_related("article")
        .only("category", "confirmed_at", "article__title", "article__status")
        .order_by("confirmed_at", "pk")[: limit + 1]
    )
    items, seen = [], set()
    for report in reports:
        article = report.article
        if article.pk in seen:
            continue  # its oldest confirmed report stands for the others
        seen.add(article.pk)
        article.alerted_at = report.confirmed_at
        article.reason = _("A reader reported it as %(what)s.") % {
            "what": report.get_category_display().lower()
        }
        items.append(article)
    return {
        "key": "reader-rereview",
        "heading": _("Re-review now: readers reported a problem"),
        "items": items[:limit],
        "more": len(items) > limit,
        "url": reverse("admin:articles_readerreport_changelist") + "?state=triaged",
        "empty": _("No reader report waits for your re-review."),
    }


def report_count_link(article: Article) -> str:
    """The article page's link to its own queue, with how many are open."""
    count = ReaderReport.objects.open().filter(article=article).count()
    return format_html(
        '<a href="{}?article={}">{}</a>',
        reverse("admin:articles_readerreport_changelist"),
        article.pk,
        _("%(count)d open reader report(s)") % {"count": count},
    )
