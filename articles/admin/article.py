"""The article admin: list, change form, read-only panels and extra pages."""

from django.contrib import admin
from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from articles.admin import comments, dashboard, history, preview_links, review
from articles.admin.actions import WorkflowActions
from articles.admin.diffs import compare
from articles.admin.editor import EDITOR_SCRIPTS, change_form_page
from articles.admin.filters import (
    AwaitingMyReviewFilter,
    LiveFilter,
    RetractionFilter,
    ReviewDueFilter,
    ScheduledFilter,
)
from articles.admin.form_top import changes_context, checklist_item, decision_context
from articles.admin.forms import ArticleForm, with_class_fieldset
from articles.admin.reader_reports import report_count_link
from articles.models import CONTENT_FIELDS, Article, Review, cites_retracted
from articles.preflight import checklist
from articles.roles import sees_every_article
from siteconf.admin_input import CheckedChangeList, RefusesBadInput

# What the list shows: it reads these columns, not the Markdown body, the
# prepared page or the search vectors (about 50 ms a page at 10,000 articles).
LIST_COLUMNS = [
    "title",
    "status",
    "current_revision_id",
    "live_revision_id",
    "updated_at",
    "publish_at",
    "unpublish_at",
    "next_review_due",
]


class ArticleChangeList(CheckedChangeList):
    def get_results(self, request):
        # Narrowed for display only: actions get their own full queryset.
        self.queryset = self.queryset.select_related(None).only(*LIST_COLUMNS)
        super().get_results(request)


@admin.register(Article)
class ArticleAdmin(WorkflowActions, RefusesBadInput, admin.ModelAdmin):
    form = ArticleForm
    list_display = [
        "title",
        "status_label",
        "people",
        "updated_at",
        "next_review_due",
    ]
    list_filter = [
        "status",
        AwaitingMyReviewFilter,
        LiveFilter,
        ReviewDueFilter,
        ScheduledFilter,
        RetractionFilter,
        ("updated_at", admin.DateFieldListFilter),
        "topics",
    ]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["topics", "authors"]
    autocomplete_fields = ["references"]
    # The list never counts every article (one COUNT less per page; the
    # date filter above replaces a date hierarchy that scanned every row).
    show_full_result_count = False

    class Media:
        # editorial/admin.css comes with every admin page (admin/base_site.html).
        js = EDITOR_SCRIPTS

    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "summary",
                    "body",
                    "change_note",
                    "base_version",
                ]
            },
        ),
        (
            _("Status and checks"),
            {
                "fields": ["workflow_summary", "preflight_checklist"],
                "classes": ["editor-status"],
            },
        ),
        (_("Bylines and topics"), {"fields": ["authors", "topics", "references"]}),
        (
            _("Search and social"),
            {
                "fields": [
                    "seo_title",
                    "meta_description",
                    "social_image",
                    "social_image_alt",
                ]
            },
        ),
        (
            _("Medical"),
            {"fields": ["medical_audience", "disclosures", "review_interval_months"]},
        ),
        (
            _("Review and publication"),
            {
                "fields": [
                    "review_history",
                    "revision_preview",
                ]
            },
        ),
    ]

    # Queries ------------------------------------------------------------

    def get_changelist(self, request, **kwargs):
        return ArticleChangeList

    def get_queryset(self, request):
        latest_reviewer = Review.objects.filter(
            revision__article=OuterRef("pk")
        ).order_by("-created_at")
        queryset = (
            super()
            .get_queryset(request)
            .select_related("current_revision", "live_revision")
            .prefetch_related("authors")
            .annotate(
                latest_reviewer=Subquery(latest_reviewer.values("reviewer_name")[:1]),
                latest_decision=Subquery(latest_reviewer.values("decision")[:1]),
                live_cites_retracted=cites_retracted(),
            )
        )
        if sees_every_article(request.user):
            return queryset
        return queryset.editable_by(request.user)

    # Permissions ----------------------------------------------------------

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or obj.can_edit(request.user)

    def has_delete_permission(self, request, obj=None):
        # Published articles are withdrawn, never deleted: the audit trail stays.
        if obj is not None and obj.first_published_at is not None:
            return False
        return request.user.is_superuser

    def get_fieldsets(self, request, obj=None):
        return with_class_fieldset(super().get_fieldsets(request, obj), obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = [
            "workflow_summary",
            "preflight_checklist",
            "review_history",
            "revision_preview",
        ]
        if obj is not None and obj.first_published_at is not None:
            readonly.append("slug")
        return readonly

    def get_prepopulated_fields(self, request, obj=None):
        if obj is not None and obj.first_published_at is not None:
            return {}
        return super().get_prepopulated_fields(request, obj)

    # Saving -----------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.edit_version += 1
        obj.last_edited_by = request.user
        obj.last_edited_at = timezone.now()
        obj.save()

    def render_change_form(self, request, context, add=False, change=False, **kw):
        form = context["adminform"].form
        if getattr(form, "conflict", None) is not None:
            theirs = form.conflict
            yours = Article(
                **{name: form.data.get(name, "") for name in CONTENT_FIELDS}
            )
            context["conflict_diffs"] = [
                d for d in compare(theirs, yours, include_references=False) if d.changed
            ]
        obj = context.get("original")
        context.update(self.workflow_context(request, obj))
        if obj is not None:
            context.update(comments.change_form_context(request, obj))
            context.update(decision_context(obj))
            context.update(changes_context(obj))
        context.update(change_form_page(context["media"]))
        return super().render_change_form(request, context, add, change, **kw)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        contributor = getattr(request.user, "contributor", None)
        if not change and contributor and not article.authors.exists():
            article.authors.add(contributor)
        article.save_revision(
            by=request.user,
            note=form.cleaned_data["change_note"],
            **form.classification(),
        )

    # List columns -----------------------------------------------------------

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj):
        label = obj.get_status_display()
        if obj.has_unpublished_changes:
            label = _("%(status)s (live version online)") % {"status": label}
        if getattr(obj, "live_cites_retracted", False):
            label = _("%(status)s; URGENT: live page cites a retracted source") % {
                "status": label
            }
        # What is scheduled shares the column, so the list fits 1280 px.
        if obj.publish_at or obj.unpublish_at:
            label = format_html("{}<br><small>{}</small>", label, self.schedule(obj))
        return label

    @admin.display(description=_("authors and reviewer"))
    def people(self, obj):
        # One column for both, so the list fits 1280 px.
        if not obj.latest_reviewer:
            return self.author_names(obj)
        return format_html(
            "{}<br><small>{}</small>", self.author_names(obj), self.reviewer(obj)
        )

    @admin.display(description=_("authors"))
    def author_names(self, obj):
        return ", ".join(a.display_name for a in obj.authors.all()) or "—"

    @admin.display(description=_("reviewer"))
    def reviewer(self, obj):
        if not obj.latest_reviewer:
            return "—"
        return f"{obj.latest_reviewer} ({obj.latest_decision.replace('_', ' ')})"

    @admin.display(description=_("scheduled"))
    def schedule(self, obj):
        parts = []
        if obj.publish_at:
            parts.append(
                _("live %(at)s")
                % {"at": date_format(timezone.localtime(obj.publish_at), "j M Y H:i T")}
            )
        if obj.unpublish_at:
            parts.append(
                _("withdraw %(at)s")
                % {
                    "at": date_format(
                        timezone.localtime(obj.unpublish_at), "j M Y H:i T"
                    )
                }
            )
        return "; ".join(parts) or "—"

    # Read-only panels -----------------------------------------------------

    @admin.display(description=_("workflow"))
    def workflow_summary(self, obj):
        if obj.pk is None:
            return _("Saved as a draft when you save.")
        rows = [
            (_("Status"), obj.get_status_display()),
            (
                _("Working revision"),
                obj.current_revision.number if obj.current_revision else "—",
            ),
            (
                _("Live revision"),
                obj.live_revision.number if obj.live_revision else _("not live"),
            ),
            (_("Last reviewed"), obj.last_reviewed or "—"),
            (_("Next review due"), obj.next_review_due or "—"),
            (_("Reader reports"), report_count_link(obj)),
        ]
        return format_html(
            '<dl class="workflow-summary">{}</dl>',
            format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows),
        )

    @admin.display(description=_("checks before submission"))
    def preflight_checklist(self, obj):
        if obj.pk is None or obj.current_revision is None:
            return _("The checks run once the article is saved.")
        items = [checklist_item(obj)]
        for check in checklist(obj, obj.current_revision):
            if check["passed"]:
                mark, css = "✓", "check-passed"
            elif check["blocking"]:
                mark, css = "✗", "check-blocking"
            else:
                mark, css = "!", "check-warning"
            details = format_html_join(
                "", "<li>{}</li>", ((m,) for m in check["messages"])
            )
            items.append(
                format_html(
                    '<li class="{}"><span aria-hidden="true">{}</span> {}{}{}</li>',
                    css,
                    mark,
                    check["label"],
                    format_html(" <em>({})</em>", _("blocks submission"))
                    if check["blocking"] and not check["passed"]
                    else "",
                    format_html("<ul>{}</ul>", details) if details else "",
                )
            )
        return format_html(
            '<ul class="preflight-checklist">{}</ul>', mark_safe("".join(items))
        )

    @admin.display(description=_("reviews"))
    def review_history(self, obj):
        if obj.pk is None:
            return "—"
        reviews = Review.objects.filter(revision__article=obj).select_related(
            "revision"
        )
        if not reviews:
            return _("No reviews yet.")
        return format_html(
            '<ul class="review-history">{}</ul>',
            format_html_join(
                "",
                "<li><strong>{}</strong> by {} on revision {}, {}<br>{}</li>",
                (
                    (
                        r.get_decision_display(),
                        r.reviewer_byline,
                        r.revision.number,
                        date_format(timezone.localtime(r.created_at), "j M Y H:i T"),
                        r.comment or "",
                    )
                    for r in reviews
                ),
            ),
        )

    @admin.display(description=_("what readers will see"))
    def revision_preview(self, obj):
        revision = obj.current_revision if obj.pk else None
        if revision is None:
            return "—"
        return mark_safe(
            render_to_string(
                "admin/articles/article/revision_preview.html",
                {"revision": revision},
            )
        )

    # Extra pages ----------------------------------------------------------

    def get_urls(self):
        def wrap(view):
            def wrapper(request, *args, **kwargs):
                return view(self, request, *args, **kwargs)

            return self.admin_site.admin_view(wrapper)

        return [
            path(
                "dashboard/",
                wrap(dashboard.dashboard),
                name="articles_article_dashboard",
            ),
            path(
                "<path:object_id>/compare/",
                wrap(history.compare_view),
                name="articles_article_compare",
            ),
            path(
                "<path:object_id>/restore/<int:number>/",
                wrap(history.restore_view),
                name="articles_article_restore",
            ),
            path(
                "<path:object_id>/preview-links/",
                wrap(preview_links.preview_links),
                name="articles_article_preview_links",
            ),
            *review.urls(wrap),
            *super().get_urls(),
        ]

    def history_view(self, request, object_id, extra_context=None):
        return history.history(self, request, object_id, extra_context)
