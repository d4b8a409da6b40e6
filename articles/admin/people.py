"""Topics and contributor profiles."""

from django.contrib import admin

from articles.admin.forms import ContributorForm
from articles.models import Contributor, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "review_interval_months"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Contributor)
class ContributorAdmin(admin.ModelAdmin):
    form = ContributorForm
    list_display = ["display_name", "credentials", "specialty", "user"]
    list_select_related = ["user"]
    prepopulated_fields = {"slug": ["display_name"]}
    search_fields = ["display_name", "credentials", "specialty"]
