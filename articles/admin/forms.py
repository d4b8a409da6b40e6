"""Forms of the desk: the article form with its edit-conflict check (the
contributor form is in articles/admin/people.py)."""

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from articles.admin.editor import MarkdownEditor
from articles.models import CORRECTION_NOTE_LIMIT, Article, ChangeClass
from articles.names import person_name
from articles.text import single_line
from siteconf.admin_input import RefusesNul


class EditConflict(forms.ValidationError):
    pass


CLASS_FIELDS = ["change_class", "correction_note"]
# Shown only while the article is live: a first publication has no class.
CLASS_FIELDSET = (
    _("Kind of change (needed to submit an update of the live page)"),
    {"fields": CLASS_FIELDS, "classes": ["change-class"]},
)
CLASS_CHOICES = [
    (
        ChangeClass.CORRECTION,
        _(
            "Correction: something on the live page was wrong and is fixed. "
            "Readers see your note at the top of the page and on the "
            "corrections page."
        ),
    ),
    (
        ChangeClass.UPDATE,
        _("Update: new evidence or content. “Last reviewed” moves."),
    ),
    (ChangeClass.MINOR, _("Minor: spelling or formatting only. No note.")),
]


def with_class_fieldset(fieldsets: list, article: Article | None) -> list:
    """The change form's fieldsets, with the kind of change after the text
    while the article is live."""
    if article is None or not article.is_live:
        return fieldsets
    return [fieldsets[0], CLASS_FIELDSET, *fieldsets[1:]]


class ArticleForm(RefusesNul, forms.ModelForm):
    change_note = forms.CharField(
        label=_("What changed"),
        max_length=300,
        required=False,
        help_text=_("Optional; shown in the history and, once live, to readers."),
    )
    change_class = forms.ChoiceField(
        label=_("Kind of change"),
        choices=CLASS_CHOICES,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("The reviewer confirms it; it is part of the reviewed text."),
    )
    correction_note = forms.CharField(
        label=_("Correction note for readers"),
        max_length=CORRECTION_NOTE_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "For a correction only: one short paragraph of plain text, e.g. "
            "“We previously said X. The correct figure is Y.”"
        ),
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        if not self.is_bound:
            self.initial["base_version"] = self.instance.edit_version
        if not self.instance.is_live:
            for name in CLASS_FIELDS:
                del self.fields[name]
            return
        pending = self.instance.current_revision
        if pending is not None and pending.pk != self.instance.live_revision_id:
            self.initial.setdefault("change_class", pending.change_class)
            self.initial.setdefault("correction_note", pending.correction_note)

    def classification(self) -> dict:
        """The kind of change for save_revision: None for both while the
        article is not live (the pending revision's, if any, are kept)."""
        return {name: self.cleaned_data.get(name) for name in CLASS_FIELDS}

    def _clean_class(self, cleaned: dict) -> None:
        if "change_class" not in self.fields:
            return
        note = single_line(cleaned.get("correction_note", ""))
        cleaned["correction_note"] = note
        correction = cleaned.get("change_class") == ChangeClass.CORRECTION
        if correction and not note:
            self.add_error(
                "correction_note",
                _(
                    "A correction needs a note for readers: say what was wrong "
                    "and what is right."
                ),
            )
        elif note and not correction:
            self.add_error(
                "correction_note",
                _(
                    "Only a correction has a note for readers: choose "
                    "“Correction” above, or clear the note."
                ),
            )

    def clean(self):
        cleaned = super().clean()
        self._clean_class(cleaned)
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
