"""Search synonyms, which editors keep: a reader's word and what means the
same (docs/search.md). A change reaches search within five minutes, the time
shared caches keep a results page."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from articles.models import Synonym
from siteconf.admin_input import ModelForm, RefusesBadInput


@admin.register(Synonym)
class SynonymAdmin(RefusesBadInput, admin.ModelAdmin):
    form = ModelForm
    fields = ["term", "equivalents", "note"]
    list_display = ["term", "equivalents_shown", "note", "updated_at"]
    search_fields = ["term", "equivalents", "note"]

    @admin.display(description=_("equivalents"))
    def equivalents_shown(self, obj) -> str:
        return ", ".join(obj.forms()[1:])
