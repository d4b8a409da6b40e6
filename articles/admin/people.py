"""Topics and contributor profiles."""

from django.contrib import admin

from articles.admin.forms import ContributorForm
from articles.models import Contributor, Listing, Topic


class FixedSlugOnceListed:
    """A topic's or contributor's address is fixed once a live page links to it:
    live revisions and cards keep the slug they were published with."""

    listing_kind: str

    def is_listed(self, obj) -> bool:
        return (
            obj is not None
            and Listing.objects.filter(kind=self.listing_kind, key=obj.pk).exists()
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "slug"] if self.is_listed(obj) else readonly

    def get_prepopulated_fields(self, request, obj=None):
        if self.is_listed(obj):
            return {}
        return super().get_prepopulated_fields(request, obj)


@admin.register(Topic)
class TopicAdmin(FixedSlugOnceListed, admin.ModelAdmin):
    listing_kind = Listing.Kind.TOPIC
    list_display = ["name", "slug", "review_interval_months"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Contributor)
class ContributorAdmin(FixedSlugOnceListed, admin.ModelAdmin):
    listing_kind = Listing.Kind.CONTRIBUTOR
    form = ContributorForm
    list_display = ["display_name", "credentials", "specialty", "user"]
    list_select_related = ["user"]
    prepopulated_fields = {"slug": ["display_name"]}
    search_fields = ["display_name", "credentials", "specialty"]
