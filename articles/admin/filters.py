"""The article list's filters: my work, on the site, review due, schedule, sources."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _


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
            ("rereview", _("Re-review now: a cited source has a notice")),
            ("retracted", _("Working copy cites a retracted source")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "urgent":
            return queryset.live().citing_retracted()
        if self.value() == "rereview":
            return queryset.rereview_now()
        if self.value() == "retracted":
            return queryset.citing_retracted("current_revision")
        return queryset
