from django import forms
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Subquery
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from markdownx.widgets import AdminMarkdownxWidget

from articles.admin import history as admin_pages
from articles.admin.diffs import compare
from articles.models import (
    CONTENT_FIELDS,
    Article,
    AuditEntry,
    Contributor,
    Review,
    Revision,
    Topic,
    cites_retracted,
)
from articles.preflight import checklist
from articles.roles import sees_every_article
from articles.workflow import WorkflowError, cancel_schedule, schedule_unpublish

BOTH = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "review_interval_months"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


class StaffUserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        name = user.get_full_name()
        return f"{name} ({user.username})" if name else user.username


class ContributorForm(forms.ModelForm):
    # A plain choice of staff accounts: the admin's user autocomplete would
    # need editors to be allowed to browse every user account.
    user = StaffUserChoiceField(
        queryset=get_user_model().objects.filter(is_staff=True, is_active=True),
        required=False,
        label=_("user account"),
        help_text=_("The staff account this profile belongs to, if any."),
    )

    class Meta:
        model = Contributor
        fields = [
            "user",
            "display_name",
            "slug",
            "credentials",
            "specialty",
            "registration",
            "bio",
            "photo",
        ]


@admin.register(Contributor)
class ContributorAdmin(admin.ModelAdmin):
    form = ContributorForm
    list_display = ["display_name", "credentials", "specialty", "user"]
    list_select_related = ["user"]
    prepopulated_fields = {"slug": ["display_name"]}
    search_fields = ["display_name", "credentials", "specialty"]


class AwaitingMyReviewFilter(admin.SimpleListFilter):
    title = _("my work")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [
            ("review", _("Awaiting my review")),
            ("authored", _("Written by me")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "review":
            return queryset.awaiting_review_by(request.user)
        if self.value() == "authored":
            return queryset.filter(authors__user=request.user)
        return queryset


class LiveFilter(admin.SimpleListFilter):
    title = _("on the site")
    parameter_name = "live"

    def lookups(self, request, model_admin):
        return [("yes", _("Live")), ("no", _("Not live"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.live()
        if self.value() == "no":
            return queryset.filter(live_revision__isnull=True)
        return queryset


class EditConflict(forms.ValidationError):
    pass


class ReviewDueFilter(admin.SimpleListFilter):
    title = _("review due")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("Review overdue")),
            ("30", _("Due within 30 days")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.review_overdue()
        if self.value() == "30":
            return queryset.review_due_within(30)
        return queryset


class ScheduledFilter(admin.SimpleListFilter):
    title = _("schedule")
    parameter_name = "scheduled"

    def lookups(self, request, model_admin):
        return [("yes", _("Scheduled"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.scheduled()
        return queryset


class RetractionFilter(admin.SimpleListFilter):
    title = _("sources")
    parameter_name = "sources"

    def lookups(self, request, model_admin):
        return [
            ("urgent", _("Live and citing a retracted source (urgent)")),
            ("retracted", _("Working copy cites a retracted source")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "urgent":
            return queryset.live().citing_retracted()
        if self.value() == "retracted":
            return queryset.citing_retracted("current_revision")
        return queryset


class ArticleForm(forms.ModelForm):
    change_note = forms.CharField(
        label=_("What changed"),
        max_length=300,
        required=False,
        help_text=_("Optional; shown in the history and, once live, to readers."),
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        if not self.is_bound:
            self.initial["base_version"] = self.instance.edit_version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        # Lock the row for the rest of the request (the admin wraps the view
        # in a transaction), so two simultaneous saves cannot both pass.
        current = (
            Article.objects.select_for_update(of=("self",))
            .select_related("last_edited_by", "current_revision")
            .get(pk=self.instance.pk)
        )
        base = cleaned.get("base_version")
        if base is None:
            raise forms.ValidationError(
                _("This form is missing its version; reload the page and try again."),
                code="no_version",
            )
        if base != current.edit_version:
            self.conflict = current
            # The re-shown form carries the new version: saving it again is a
            # deliberate overwrite by someone who has now seen their changes.
            self.data = self.data.copy()
            self.data["base_version"] = current.edit_version
            who = current.last_edited_by
            name = (who.get_full_name() or who.username) if who else _("someone")
            when = (
                date_format(timezone.localtime(current.last_edited_at), "j M Y H:i T")
                if current.last_edited_at
                else ""
            )
            raise EditConflict(
                _(
                    "%(name)s saved this article at %(when)s, after you opened it. "
                    "Your text is kept below; compare it with theirs, merge, then "
                    "save again."
                )
                % {"name": name, "when": when},
                code="conflict",
            )
        return cleaned

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "summary",
            "body",
            "topics",
            "authors",
            "references",
            "seo_title",
            "meta_description",
            "social_image",
            "social_image_alt",
            "medical_audience",
            "disclosures",
            "review_interval_months",
        ]
        widgets = {
            "body": AdminMarkdownxWidget,
            "summary": forms.Textarea(attrs={"rows": 3}),
            "meta_description": forms.Textarea(attrs={"rows": 3}),
            "disclosures": forms.Textarea(attrs={"rows": 3}),
        }


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment to the authors"),
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        required=False,
        max_length=10_000,
    )
    full_review = forms.BooleanField(
        label=_("Full clinical review of the whole page"),
        required=False,
        initial=True,
        help_text=_("Untick if you reviewed only the change; “last reviewed” stays."),
    )


class ChangesForm(forms.Form):
    comment = forms.CharField(
        label=_("What needs to change"),
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        max_length=10_000,
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, shown to readers"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        max_length=2000,
    )


class ScheduleForm(forms.Form):
    at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zone = timezone.get_current_timezone_name()
        self.fields["at"].help_text = _("In %(zone)s time.") % {"zone": zone}

    def clean_at(self):
        at = self.cleaned_data["at"]
        if at <= timezone.now():
            raise forms.ValidationError(_("Choose a time in the future."))
        return at


class ScheduleWithdrawalForm(ScheduleForm):
    reason = forms.CharField(
        label=_("Reason, shown to readers"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        max_length=2000,
    )


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    list_display = [
        "title",
        "status_label",
        "author_names",
        "reviewer",
        "updated_at",
        "is_live",
        "schedule",
        "next_review_due",
    ]
    list_filter = [
        "status",
        AwaitingMyReviewFilter,
        LiveFilter,
        ReviewDueFilter,
        ScheduledFilter,
        RetractionFilter,
        "topics",
    ]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["topics", "authors"]
    autocomplete_fields = ["references"]
    date_hierarchy = "updated_at"

    class Media:
        css = {"all": ["editorial/admin.css"]}
        js = ["editorial/seo-counter.js"]

    actions = [
        "submit_for_review",
        "approve",
        "request_changes",
        "publish",
        "schedule_publication",
        "unpublish",
        "schedule_withdrawal",
        "cancel_schedule",
    ]
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
                    "workflow_summary",
                    "preflight_checklist",
                    "review_history",
                    "revision_preview",
                ]
            },
        ),
    ]

    # Queries ------------------------------------------------------------

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

    def has_submit_permission(self, request):
        return request.user.has_perm("articles.change_article")

    def has_review_permission(self, request):
        return request.user.has_perm("articles.review_article")

    def has_publish_permission(self, request):
        return request.user.has_perm("articles.publish_article")

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
        if obj is not None and obj.status == Article.Status.IN_REVIEW:
            base = obj.last_approved_revision()
            context["review_diffs"] = compare(
                base, obj.current_revision, include_references=True
            )
            context["review_base"] = base
        return super().render_change_form(request, context, add, change, **kw)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        contributor = getattr(request.user, "contributor", None)
        if not change and contributor and not article.authors.exists():
            article.authors.add(contributor)
        article.save_revision(by=request.user, note=form.cleaned_data["change_note"])

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
        return label

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

    @admin.display(description=_("live"), boolean=True, ordering="live_revision")
    def is_live(self, obj):
        return obj.is_live

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
        ]
        return format_html(
            '<dl class="workflow-summary">{}</dl>',
            format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows),
        )

    @admin.display(description=_("checks before submission"))
    def preflight_checklist(self, obj):
        if obj.pk is None or obj.current_revision is None:
            return _("The checks run once the article is saved.")
        items = []
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
        from django.template.loader import render_to_string

        return mark_safe(
            render_to_string(
                "admin/articles/article/revision_preview.html",
                {"revision": revision},
            )
        )

    # Actions ----------------------------------------------------------------

    def _run(self, request, queryset, verb, transition) -> None:
        done = 0
        for article in queryset:
            try:
                transition(article)
            except WorkflowError as error:
                self.message_user(
                    request,
                    _("“%(title)s” was not %(verb)s: %(error)s")
                    % {"title": article.title, "verb": verb, "error": error},
                    messages.ERROR,
                )
            else:
                done += 1
        if done:
            self.message_user(
                request,
                _("%(count)s article(s) %(verb)s.") % {"count": done, "verb": verb},
                messages.SUCCESS,
            )

    def _ask(self, request, queryset, form_class, title, button):
        """Show an intermediate form, or return its cleaned data once confirmed."""
        if "confirm" in request.POST:
            form = form_class(request.POST)
            if form.is_valid():
                return form.cleaned_data
        else:
            form = form_class()
        on_change_form = f"{ActionLocation.CHANGE_FORM.value}-action" in request.POST
        action_field = (
            f"{ActionLocation.CHANGE_FORM.value}-action" if on_change_form else "action"
        )
        return TemplateResponse(
            request,
            "admin/articles/article/action_form.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "button": button,
                "form": form,
                "articles": queryset,
                "opts": self.model._meta,
                "action_field": action_field,
                "action_name": request.POST.get(action_field, ""),
                "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
                "checkbox_name": ACTION_CHECKBOX_NAME,
                "post_url": request.get_full_path(),
            },
        )

    @admin.action(
        description=_("Submit for medical review"),
        permissions=["submit"],
        location=BOTH,
    )
    def submit_for_review(self, request, queryset):
        self._run(
            request,
            queryset,
            _("submitted"),
            lambda article: article.submit_for_review(by=request.user),
        )

    @admin.action(
        description=_("Approve (medical review)"),
        permissions=["review"],
        location=BOTH,
    )
    def approve(self, request, queryset):
        answer = self._ask(
            request, queryset, DecisionForm, _("Approve for publication"), _("Approve")
        )
        if not isinstance(answer, dict):
            return answer
        self._run(
            request,
            queryset,
            _("approved"),
            lambda article: article.approve(
                by=request.user,
                comment=answer["comment"],
                full_review=answer["full_review"],
            ),
        )

    @admin.action(
        description=_("Request changes (medical review)"),
        permissions=["review"],
        location=BOTH,
    )
    def request_changes(self, request, queryset):
        answer = self._ask(
            request,
            queryset,
            ChangesForm,
            _("Send back to the authors"),
            _("Request changes"),
        )
        if not isinstance(answer, dict):
            return answer
        self._run(
            request,
            queryset,
            _("sent back"),
            lambda article: article.request_changes(
                by=request.user, comment=answer["comment"]
            ),
        )

    @admin.action(
        description=_("Publish the approved revision"),
        permissions=["publish"],
        location=BOTH,
    )
    def publish(self, request, queryset):
        self._run(
            request,
            queryset,
            _("published"),
            lambda article: article.publish(by=request.user),
        )

    @admin.action(
        description=_("Withdraw from the site"),
        permissions=["publish"],
        location=BOTH,
    )
    def unpublish(self, request, queryset):
        answer = self._ask(
            request, queryset, WithdrawForm, _("Withdraw from the site"), _("Withdraw")
        )
        if not isinstance(answer, dict):
            return answer
        self._run(
            request,
            queryset,
            _("withdrawn"),
            lambda article: article.unpublish(by=request.user, reason=answer["reason"]),
        )

    @admin.action(
        description=_("Schedule publication of the approved revision"),
        permissions=["publish"],
        location=BOTH,
    )
    def schedule_publication(self, request, queryset):
        answer = self._ask(
            request, queryset, ScheduleForm, _("Schedule publication"), _("Schedule")
        )
        if not isinstance(answer, dict):
            return answer
        self._run(
            request,
            queryset,
            _("scheduled"),
            lambda article: article.publish(by=request.user, at=answer["at"]),
        )

    @admin.action(
        description=_("Schedule withdrawal"),
        permissions=["publish"],
        location=BOTH,
    )
    def schedule_withdrawal(self, request, queryset):
        answer = self._ask(
            request,
            queryset,
            ScheduleWithdrawalForm,
            _("Schedule withdrawal"),
            _("Schedule"),
        )
        if not isinstance(answer, dict):
            return answer
        self._run(
            request,
            queryset,
            _("scheduled for withdrawal"),
            lambda article: schedule_unpublish(
                article, by=request.user, at=answer["at"], reason=answer["reason"]
            ),
        )

    @admin.action(
        description=_("Cancel the schedule"),
        permissions=["publish"],
        location=BOTH,
    )
    def cancel_schedule(self, request, queryset):
        self._run(
            request,
            queryset,
            _("unscheduled"),
            lambda article: cancel_schedule(article, by=request.user),
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
                wrap(admin_pages.dashboard),
                name="articles_article_dashboard",
            ),
            path(
                "<path:object_id>/compare/",
                wrap(admin_pages.compare_view),
                name="articles_article_compare",
            ),
            path(
                "<path:object_id>/restore/<int:number>/",
                wrap(admin_pages.restore_view),
                name="articles_article_restore",
            ),
            path(
                "<path:object_id>/preview-links/",
                wrap(admin_pages.preview_links),
                name="articles_article_preview_links",
            ),
            *super().get_urls(),
        ]

    def history_view(self, request, object_id, extra_context=None):
        return admin_pages.history(self, request, object_id, extra_context)


class ReadOnlyAdmin(admin.ModelAdmin):
    #: The lookup from this model to its article, for scoping writers.
    article_lookup = "article"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if sees_every_article(request.user):
            return queryset
        mine = Article.objects.editable_by(request.user).values("pk")
        return queryset.filter(**{f"{self.article_lookup}__in": mine})

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    list_display = ["article", "number", "created_by", "created_at", "change_note"]
    list_select_related = ["article", "created_by"]
    search_fields = ["article__title", "title"]
    exclude = ["cited_references"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = [
        "revision",
        "decision",
        "reviewer_name",
        "full_review",
        "created_at",
    ]
    list_filter = ["decision", "full_review"]
    list_select_related = ["revision"]
    article_lookup = "revision__article"


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "article",
        "action",
        "from_status",
        "to_status",
        "actor",
    ]
    list_filter = ["action"]
    list_select_related = ["article", "actor"]
