"""The journal abbreviation table in the admin."""

from django.contrib import admin

from references.models import JournalAbbreviation


@admin.register(JournalAbbreviation)
class JournalAbbreviationAdmin(admin.ModelAdmin):
    list_display = ["title", "abbreviation"]
    search_fields = ["title", "abbreviation"]
    fields = ["title", "abbreviation"]
