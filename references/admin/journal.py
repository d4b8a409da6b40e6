"""The journal abbreviation table in the admin."""

from django.contrib import admin

from references.models import JournalAbbreviation
from siteconf.admin_input import ModelForm, RefusesBadInput


@admin.register(JournalAbbreviation)
class JournalAbbreviationAdmin(RefusesBadInput, admin.ModelAdmin):
    form = ModelForm
    list_display = ["title", "abbreviation"]
    search_fields = ["title", "abbreviation"]
    fields = ["title", "abbreviation"]
