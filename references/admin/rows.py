"""Authors, editors and publication types edited as rows, not raw JSON.

The widget is the JSON textarea the field always had, wrapped for the
`row-editor.js` module: it builds a table of rows (family, given, suffix,
group name; add, remove, drag or move up and down by keyboard) and writes the
rows back into the textarea as JSON on every change. Without JavaScript the
textarea is still there. The form fields check the JSON on the server with
messages naming the row, and a refused save shows the rows as they were typed.
"""

import json

from django import forms
from django.forms import Script
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from references.validation import names_error

MAX_ROWS = 2000
MAX_PART = 500
NAME_COLUMNS = [
    ("family", _("Family name")),
    ("given", _("Given names")),
    ("suffix", _("Suffix")),
    ("literal", _("Group name")),
]
TYPE_COLUMNS = [("value", _("Publication type"))]


class RowsWidget(forms.Textarea):
    """The JSON textarea, with what the row editor needs to know about it."""

    def __init__(self, columns, row_label, attrs=None):
        self.columns = columns
        self.row_label = row_label
        super().__init__(attrs={"rows": 4, "cols": 80, **(attrs or {})})

    @property
    def media(self):
        return forms.Media(
            css={"all": ["editorial/references/row-editor.css"]},
            js=[Script("editorial/references/row-editor.js", type="module")],
        )

    def render(self, name, value, attrs=None, renderer=None):
        textarea = super().render(name, value, attrs, renderer)
        columns = [[key, str(label)] for key, label in self.columns]
        return format_html(
            '<div class="row-editor" data-columns="{}" data-row-label="{}">{}</div>',
            json.dumps(columns),
            str(self.row_label),
            textarea,
        )


class ListField(forms.JSONField):
    """A JSON list; left empty, an empty list (the model field is not null)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("initial", list)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return [] if value is None else value


class NameListField(ListField):
    """A list of names: {"family", "given", "suffix"} or {"literal"}."""

    def __init__(self, row_label=None, **kwargs):
        row_label = row_label or _("Author")
        self.row_label = row_label
        kwargs.setdefault("widget", RowsWidget(NAME_COLUMNS, row_label))
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value in (None, ""):
            return
        message = names_error(value, str(self.row_label))
        if message:
            raise forms.ValidationError(message)
        if len(value) > MAX_ROWS:
            raise forms.ValidationError(
                _("At most %(n)s names; this has %(count)s.")
                % {"n": MAX_ROWS, "count": len(value)}
            )
        for number, name in enumerate(value, 1):
            where = {"label": self.row_label, "n": number}
            if name.get("literal", "").strip() and (
                name.get("family", "").strip() or name.get("given", "").strip()
            ):
                raise forms.ValidationError(
                    _(
                        "%(label)s %(n)s has both a person's name and a group "
                        "name; keep one of them."
                    )
                    % where
                )
            if any(len(part) > MAX_PART for part in name.values()):
                raise forms.ValidationError(
                    _("%(label)s %(n)s: a name part is longer than %(max)s characters.")
                    % {**where, "max": MAX_PART}
                )


class TextListField(ListField):
    """A list of short texts, such as PubMed publication types."""

    def __init__(self, row_label=None, **kwargs):
        row_label = row_label or _("Publication type")
        kwargs.setdefault("widget", RowsWidget(TYPE_COLUMNS, row_label))
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value in (None, ""):
            return
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise forms.ValidationError(
                _('Enter a list of text, like ["Randomized Controlled Trial"].')
            )
        if len(value) > 100 or any(len(v) > 200 for v in value):
            raise forms.ValidationError(
                _("At most 100 entries of up to 200 characters each.")
            )
