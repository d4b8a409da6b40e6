"""Forms of the desk: the article form with its edit-conflict check (the
contributor form is in articles/admin/people.py)."""

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from articles.admin.editor import MarkdownEditor
from articles.models import Article
from articles.names import person_name
from siteconf.admin_input import RefusesNul


class EditConflict(forms.ValidationError):
    pass


class ArticleForm(RefusesNul, forms.ModelForm):
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
            name = person_name(who) if who else _("someone")
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
            # The citation picker (static/editorial/cite/) searches here.
            "body": MarkdownEditor(
                attrs={"data-cite-url": reverse_lazy("cite_search")}
            ),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "meta_description": forms.Textarea(attrs={"rows": 3}),
            "disclosures": forms.Textarea(attrs={"rows": 3}),
        }
