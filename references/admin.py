from django.contrib import admin

from references.models import Reference


@admin.register(Reference)
class ReferenceAdmin(admin.ModelAdmin):
    list_display = [
        "citation_key",
        "title",
        "year",
        "kind",
        "evidence_level",
        "retraction_status",
    ]
    list_filter = ["kind", "evidence_level", "retraction_status"]
    search_fields = ["citation_key", "title", "doi", "pmid", "authors"]
