"""What the desk does with input it cannot use: says so, and never answers 500.

- Lists: every ModelAdmin mixes in `RefusesBadInput`, whose change list runs
  only filters the database can: a year outside 1-9999
  (`?updated_at__year=99999`), a number past 64 bits, a lookup the database
  lacks or a regular expression (each database reads them its own way, and a
  bad one fails only when the query runs) get Django's own answer to a bad
  filter, the list without it and `?e=1`. A search longer than a title is
  ignored, with a message.
- Forms: `RefusesNul` makes a NUL character, which PostgreSQL cannot store, a
  field error. The text comes back without it, so nothing typed is lost, and
  saving again stores exactly what the writer then sees.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import SEARCH_VAR, ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import EmptyResultSet, FullResultSet, ValidationError
from django.db import DatabaseError
from django.db.models.constants import LOOKUP_SEP
from django.utils.translation import gettext_lazy as _

NUL = "\x00"
NUL_MESSAGE = _(
    "This text contained a NUL character (\\x00), which cannot be stored. It has "
    "been taken out: check the text and save again."
)
# A title's worth. Each word is a LIKE on every searched column: 50,000 of
# them kept PostgreSQL busy for minutes, and SQLite refused them.
MAX_SEARCH_CHARS = 300
MAX_SEARCH_WORDS = 20
SQL_INTEGER_LIMIT = 2**63
REGEX_LOOKUPS = {"regex", "iregex"}


def has_nul(value) -> bool:
    """Whether a form value (a string, or a list of them) holds a NUL. A file's
    bytes are not text, and are not checked."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, (list, tuple)):
        return any(has_nul(part) for part in value)
    return False


def without_nul(data):
    """A copy of form data (a QueryDict or a dict) with every NUL taken out."""
    data = data.copy()
    for key in list(data):
        values = data.getlist(key) if hasattr(data, "getlist") else [data[key]]
        values = [v.replace(NUL, "") if isinstance(v, str) else v for v in values]
        if hasattr(data, "setlist"):
            data.setlist(key, values)
        else:
            data[key] = values[0]
    return data


class RefusesNul:
    """A form mixin: a field whose text holds a NUL gets a field error, and the
    form shows the text again without it."""

    def full_clean(self):
        if not self.is_bound:
            return super().full_clean()
        with_nul = [
            name
            for name, field in self.fields.items()
            if has_nul(
                field.widget.value_from_datadict(
                    self.data, self.files, self.add_prefix(name)
                )
            )
        ]
        if with_nul:
            self.data = without_nul(self.data)
        super().full_clean()
        for name in with_nul:
            self.add_error(name, ValidationError(NUL_MESSAGE, code="nul"))


class ModelForm(RefusesNul, forms.ModelForm):
    """The admin's default model form, refusing NUL."""


def validate_search(term: str) -> None:
    """Refuse a search too long for the database to run quickly."""
    if len(term) > MAX_SEARCH_CHARS or len(term.split()) > MAX_SEARCH_WORDS:
        raise ValidationError(
            _("Search for at most %(words)s words and %(chars)s characters."),
            code="search_too_long",
            params={"words": MAX_SEARCH_WORDS, "chars": MAX_SEARCH_CHARS},
        )


class SearchForm(forms.Form):
    """The change list's search box, with a length limit."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            SEARCH_VAR: forms.CharField(
                required=False, strip=False, validators=[validate_search]
            )
        }


def readable(field, value) -> bool:
    """Whether `value` could be stored in `field` (an id, say)."""
    try:
        field.run_validators(field.to_python(value))
    except ValidationError:
        return False
    return True


class KnownSelection:
    """An autocomplete widget mixin: a selected value that cannot be an id
    (`references=abc`, posted with a form the page then shows again) is left
    out rather than looked up."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        target = remote.model._meta.get_field(
            getattr(remote, "field_name", None) or remote.model._meta.pk.name
        )
        known = [v for v in value if v in ("", None) or readable(target, v)]
        return super().optgroups(name, known, attr)


class CheckedAutocompleteSelect(KnownSelection, AutocompleteSelect):
    pass


class CheckedAutocompleteSelectMultiple(KnownSelection, AutocompleteSelectMultiple):
    pass


class CheckedChangeList(ChangeList):
    """A change list whose filters the database can run, or Django's ?e=1."""

    search_form_class = SearchForm

    def get_queryset(self, request, exclude_parameters=None):
        for key in self.get_filters_params():
            if key.rsplit(LOOKUP_SEP, 1)[-1] in REGEX_LOOKUPS:
                raise IncorrectLookupParameters(f"{key}: no regular expressions")
        queryset = super().get_queryset(request, exclude_parameters)
        # Writing the SQL out, which touches no database, is where an absurd
        # date or a lookup the backend lacks fails; a number past 64 bits
        # fails only on SQLite, and only when the query runs.
        try:
            _sql, params = queryset.query.get_compiler(queryset.db).as_sql()
        except (EmptyResultSet, FullResultSet):
            return queryset
        except (ValueError, OverflowError, DatabaseError) as error:
            raise IncorrectLookupParameters(error) from error
        for value in params:
            if isinstance(value, int) and not (
                -SQL_INTEGER_LIMIT <= value < SQL_INTEGER_LIMIT
            ):
                raise IncorrectLookupParameters(f"{value} is out of range")
        return queryset


class RefusesBadInput:
    """Mixed into every ModelAdmin: the checked change list, searches of a
    sensible length, autocomplete widgets that can show a refused form again,
    and readable refusals of selections and `?_to_field=` values that name
    nothing. (Forms refuse NUL when they mix in `RefusesNul`; `ModelForm` is
    the default form that does.)"""

    def get_changelist(self, request, **kwargs):
        return CheckedChangeList

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                CheckedAutocompleteSelect(
                    db_field, self.admin_site, using=kwargs.get("using")
                ),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                CheckedAutocompleteSelectMultiple(
                    db_field, self.admin_site, using=kwargs.get("using")
                ),
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        # The change list has refused a long search with a message already;
        # the autocomplete widgets' searches are cut to the same limit.
        words = search_term[:MAX_SEARCH_CHARS].split()[:MAX_SEARCH_WORDS]
        return super().get_search_results(request, queryset, " ".join(words))

    def get_object(self, request, object_id, from_field=None):
        # An empty `?_to_field=` would be looked up as a field named "".
        return super().get_object(request, object_id, from_field or None)

    def response_action(self, request, queryset, **kwargs):
        """Run the action, unless a selected id is not one the database holds."""
        pk = self.model._meta.pk
        try:
            for value in request.POST.getlist(ACTION_CHECKBOX_NAME):
                pk.run_validators(pk.to_python(value))
        except ValidationError:
            self.message_user(
                request,
                _("The selection could not be read; select the items again."),
                messages.WARNING,
            )
            return None
        return super().response_action(request, queryset, **kwargs)
