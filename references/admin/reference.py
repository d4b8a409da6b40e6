from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from references.formatting import format_reference
from references.identifiers import detect_identifier
from references.importers import FORMATS, ImportFormatError, parse
from references.library import apply_import, plan_import
from references.models import PendingImport, PendingImportError, Reference

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_(
            "BibTeX (.bib), RIS (.ris), CSL-JSON (.json) or PubMed (.nbib), "
            "up to 20 MB."
        ),
    )
    text = forms.CharField(
        label=_("Or paste the records"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12, "cols": 100}),
        help_text=format_lazy(
            _("Up to {size}; upload a file for anything larger."),
            size=filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE),
        ),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("", _("Detect automatically")), *FORMATS],
        required=False,
    )

    def clean(self):
        """Read the upload or paste, then parse, validate and plan every record."""
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            if upload.size > MAX_UPLOAD_BYTES:
                raise forms.ValidationError(
                    _(
                        "The file is %(size)s; the limit is %(limit)s. Split it "
                        "into smaller files and import them one by one."
                    )
                    % {
                        "size": filesizeformat(upload.size),
                        "limit": filesizeformat(MAX_UPLOAD_BYTES),
                    }
                )
            try:
                cleaned["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(
                    _("The file is not UTF-8 text; save it as UTF-8 and try again.")
                ) from None
            if "\x00" in cleaned["text"]:
                raise forms.ValidationError(
                    _("The file contains NUL characters, so it is not a text file.")
                )
        if not cleaned.get("text", "").strip():
            raise forms.ValidationError(_("Choose a file or paste some records."))
        try:
            records = parse(cleaned["text"], cleaned.get("format") or None)
            cleaned["plan"] = plan_import(records)
        except ImportFormatError as error:
            raise forms.ValidationError(
                _("%(error)s Nothing was imported.") % {"error": error}
            ) from None
        return cleaned


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


@admin.register(Reference)
class ReferenceAdmin(admin.ModelAdmin):
    change_list_template = "admin/references/reference/change_list.html"
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
    readonly_fields = ["formatted", "citing_articles", "retraction_checked_at"]
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

    # Import -----------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="references_reference_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload or paste, preview what will be created, then confirm.

        The preview keeps the upload server-side (a PendingImport) and the
        confirm form carries only a signed token, so file size never matters
        to the confirmation.
        """
        if not self.has_add_permission(request):
            raise PermissionDenied
        PendingImport.objects.expired().delete()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import references"),
            "form": ImportForm(),
        }
        if request.method == "POST" and "token" in request.POST:
            return self._confirm_import(request, context)
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            context["form"] = form
            if form.is_valid():
                plan = form.cleaned_data["plan"]
                context.update(
                    plan=plan, preview=[(r, format_reference(r)) for r in plan.new]
                )
                if plan.new:
                    pending = PendingImport.objects.create(
                        created_by=request.user,
                        format=form.cleaned_data.get("format") or "",
                        text=form.cleaned_data["text"],
                    )
                    context["token"] = pending.token
        return TemplateResponse(
            request, "admin/references/reference/import.html", context
        )

    def _confirm_import(self, request, context):
        """Import a previewed upload all or nothing, once, for its uploader only."""
        try:
            pending = PendingImport.for_token(request.POST["token"], request.user)
            with transaction.atomic():
                # Deleting first claims the upload: a second confirmation of the
                # same preview finds nothing to delete and imports nothing.
                if not PendingImport.objects.filter(pk=pending.pk).delete()[0]:
                    raise PendingImportError(_("This import was already confirmed."))
                plan = plan_import(parse(pending.text, pending.format or None))
                created = apply_import(plan)
        except (PendingImportError, ImportFormatError) as error:
            context["error"] = _("%(error)s Nothing was imported.") % {"error": error}
            return TemplateResponse(
                request, "admin/references/reference/import.html", context
            )
        except IntegrityError:
            # A concurrent import stored one of these DOIs or PMIDs after the plan.
            context["error"] = _(
                "Someone else imported some of these references just now. Nothing "
                "was imported; upload the file again to see what is still new."
            )
            return TemplateResponse(
                request, "admin/references/reference/import.html", context
            )
        self.message_user(
            request,
            _("Imported %(n)s reference(s); %(d)s duplicate(s) skipped.")
            % {"n": len(created), "d": len(plan.duplicates)},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:references_reference_changelist"))
