"""The reference admin: search by identifier, retraction notices, cited-by."""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from references.admin.evidence import findings_list
from references.admin.importing import ImportReferences
from references.admin.lookup import LookupReferences
from references.admin.rows import NameListField, TextListField
from references.formatting import format_reference
from references.identifiers import detect_identifier
from references.models import EvidenceCheck, Reference
from siteconf.admin_input import RefusesBadInput, RefusesNul


class CitedByFilter(admin.SimpleListFilter):
    title = _("cited")
    parameter_name = "cited"

    def lookups(self, request, model_admin):
        return [("yes", _("Cited by a live article")), ("no", _("Not cited"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(
                citing_revisions__article__live_revision__isnull=False
            ).distinct()
        if self.value() == "no":
            return queryset.filter(articles__isnull=True)
        return queryset


class ReferenceForm(RefusesNul, forms.ModelForm):
    """Authors, editors and publication types as rows (admin/rows.py)."""

    authors = NameListField(
        label=_("Authors"),
        required=False,
        row_label=_("Author"),
        help_text=_(
            "In the order of the byline. A person has a family name (and given "
            "names, a suffix such as Jr); a group such as “WHO Guideline Group” "
            "has only a group name."
        ),
    )
    editors = NameListField(label=_("Editors"), required=False, row_label=_("Editor"))
    publication_types = TextListField(label=_("Publication types"), required=False)

    class Meta:
        model = Reference
        # The admin's fieldsets choose the fields the form shows.
        fields = ["authors", "editors", "publication_types"]


@admin.register(Reference)
class ReferenceAdmin(
    LookupReferences, ImportReferences, RefusesBadInput, admin.ModelAdmin
):
    change_list_template = "admin/references/reference/change_list.html"
    form = ReferenceForm
    list_display = [
        "citation_key",
        "short_title",
        "year",
        "kind",
        "evidence_level",
        "retraction_label",
        "cited_by",
    ]
    list_filter = ["kind", "evidence_level", "retraction_status", CitedByFilter]
    search_fields = ["citation_key", "title", "authors", "doi", "pmid", "pmcid"]
    readonly_fields = [
        "formatted",
        "citing_articles",
        "retraction_checked_at",
        "last_checked_at",
        "last_checked_source",
        "evidence_checks",
        "evidence_findings",
        "link_checked_at",
        "link_status",
        "link_broken_since",
    ]
    fieldsets = [
        (None, {"fields": ["kind", "citation_key", "title", "authors", "formatted"]}),
        (
            _("Source"),
            {
                "fields": [
                    "container_title",
                    "journal_abbrev",
                    ("year", "month", "day"),
                    ("volume", "issue", "pages"),
                    ("publisher", "publisher_place", "edition"),
                    "editors",
                ]
            },
        ),
        (
            _("Identifiers"),
            {"fields": [("doi", "pmid"), ("pmcid", "isbn"), "url", "accessed"]},
        ),
        (_("Evidence"), {"fields": ["publication_types", "evidence_level"]}),
        (
            _("Retraction"),
            {
                "fields": [
                    "retraction_status",
                    "retraction_notice_doi",
                    "retraction_date",
                    "retraction_reason",
                    "retraction_checked_at",
                ]
            },
        ),
        (
            _("Evidence checks"),
            {
                "fields": [
                    ("last_checked_at", "last_checked_source"),
                    "evidence_checks",
                    "evidence_findings",
                    ("link_checked_at", "link_status", "link_broken_since"),
                ]
            },
        ),
        (_("Cited by"), {"fields": ["citing_articles"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(article_count=Count("articles", distinct=True))
        )

    def get_search_results(self, request, queryset, search_term):
        # A pasted DOI URL or "PMID: 123" finds the reference too.
        found = detect_identifier(search_term.strip())
        if found is not None:
            kind, value = found
            if kind == "doi":
                return queryset.filter(pk__in=Reference.objects.with_doi(value)), False
            return queryset.filter(**{kind: value}), False
        return super().get_search_results(request, queryset, search_term)

    def save_model(self, request, obj, form, change):
        # Working copies citing it get a new revision, attributed to this user.
        obj.changed_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("title"))
    def short_title(self, obj):
        return obj.title[:90]

    @admin.display(description=_("notice"), ordering="retraction_status")
    def retraction_label(self, obj):
        if not obj.retraction_status:
            return "—"
        return format_html(
            '<strong class="notice-{}">{}</strong>',
            obj.retraction_status,
            obj.get_retraction_status_display(),
        )

    @admin.display(description=_("articles"), ordering="article_count")
    def cited_by(self, obj):
        if not obj.article_count:
            return 0
        url = reverse("admin:articles_article_changelist")
        return format_html(
            '<a href="{}?references__id__exact={}">{}</a>',
            url,
            obj.pk,
            obj.article_count,
        )

    @admin.display(description=_("formatted"))
    def formatted(self, obj):
        if obj.pk is None:
            return "—"
        return format_reference(obj)

    @admin.display(description=_("evidence findings"))
    def evidence_findings(self, obj):
        return findings_list(obj)

    @admin.display(description=_("latest checks"))
    def evidence_checks(self, obj):
        """The last check of each source: when, on what data, and its result."""
        latest = EvidenceCheck.objects.latest_by_source()
        if not latest:
            return _("No check has run yet.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a>: {} {} ({}){}</li>',
                (
                    (
                        reverse("admin:references_evidencecheck_change", args=[c.pk]),
                        c.get_source_display(),
                        c.get_result_display(),
                        c.started_at.strftime("%Y-%m-%d %H:%M"),
                        c.dataset or "—",
                        f" — {c.error}" if c.error else "",
                    )
                    for c in latest.values()
                ),
            ),
        )

    @admin.display(description=_("articles citing it"))
    def citing_articles(self, obj):
        if obj.pk is None:
            return "—"
        articles = obj.articles.select_related("live_revision")
        if not articles:
            return _("None yet.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a>{}</li>',
                (
                    (
                        reverse("admin:articles_article_change", args=[a.pk]),
                        a.title,
                        _(" (live)") if a.live_revision_id else "",
                    )
                    for a in articles
                ),
            ),
        )
