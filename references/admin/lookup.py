"""Add a reference by DOI, PMID, PMCID or ISBN: look it up, then confirm.

The lookup page recognises what was pasted and refuses duplicates with a link
to the existing reference. A found record opens the ordinary add form filled
in (`?lookup=doi:…`; the answer is cached, so the form reads it without a
second request); nothing is saved until the user saves. When the service is
offline or answers with an error, the add form opens with the identifier
filled in and a message saying what went wrong.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from references import identifiers
from references.identifiers import IdentifierError
from references.lookup import KINDS, NotFound, ServiceError, identify, look_up
from references.models import Reference
from references.records import ReferenceData
from siteconf.admin_input import RefusesNul

FORM_FIELDS = [
    "kind",
    "title",
    "container_title",
    "journal_abbrev",
    "year",
    "month",
    "day",
    "volume",
    "issue",
    "pages",
    "publisher",
    "publisher_place",
    "edition",
    "doi",
    "pmid",
    "pmcid",
    "isbn",
    "url",
    "publication_types",
    "evidence_level",
]


class LookupForm(RefusesNul, forms.Form):
    identifier = forms.CharField(
        label=_("DOI, PMID, PMCID or ISBN"),
        max_length=300,
        help_text=_(
            "Paste it as you have it: 10.1093/humrep/deab049, "
            "https://doi.org/10.1093/humrep/deab049, PMID: 33990841, PMC8487651, "
            "or an ISBN with or without hyphens."
        ),
        widget=forms.TextInput(attrs={"size": 60, "autofocus": True}),
    )

    def clean_identifier(self) -> tuple[str, str]:
        try:
            return identify(self.cleaned_data["identifier"])
        except IdentifierError as error:
            raise forms.ValidationError(str(error)) from None


def existing_reference(kind: str, value: str) -> Reference | None:
    """The reference that already has this identifier, if any."""
    if not value:
        return None
    if kind == "doi":
        return Reference.objects.with_doi(value).first()
    return Reference.objects.filter(**{kind: value}).first()


def duplicate_of(record: ReferenceData) -> Reference | None:
    for kind in ("doi", "pmid"):
        found = existing_reference(kind, getattr(record, kind))
        if found is not None:
            return found
    return None


def initial_from(record: ReferenceData) -> dict:
    """The add form's initial data for a looked-up record."""
    initial = {name: getattr(record, name) for name in FORM_FIELDS}
    initial["authors"] = [a.as_dict() for a in record.authors]
    initial["editors"] = [a.as_dict() for a in record.editors]
    return {name: value for name, value in initial.items() if value not in ("", None)}


class LookupReferences:
    """Mixed into ReferenceAdmin: references/reference/lookup/."""

    def get_urls(self):
        return [
            path(
                "lookup/",
                self.admin_site.admin_view(self.lookup_view),
                name="references_reference_lookup",
            ),
            *super().get_urls(),
        ]

    def lookup_view(self, request):
        """Recognise the identifier, refuse a duplicate, look it up, then open
        the add form filled in (or, on a service error, with the identifier)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = LookupForm(request.POST or None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Add a reference by DOI, PMID, PMCID or ISBN"),
            "form": form,
        }
        if request.method == "POST" and form.is_valid():
            kind, value = form.cleaned_data["identifier"]
            existing = existing_reference(kind, value)
            if existing is None:
                try:
                    record = look_up(kind, value)
                except NotFound as error:
                    context["error"] = _(
                        "%(error)s Check the %(kind)s, or add the reference by hand."
                    ) % {"error": error, "kind": KINDS[kind]}
                    context["manual_url"] = self._manual_url(kind, value)
                    return self._render_lookup(request, context)
                except ServiceError as error:
                    self.message_user(
                        request,
                        _(
                            "The %(kind)s could not be looked up: %(error)s Fill in "
                            "the reference by hand, or try again later."
                        )
                        % {"kind": KINDS[kind], "error": error},
                        messages.WARNING,
                    )
                    return HttpResponseRedirect(self._manual_url(kind, value))
                existing = duplicate_of(record)
            if existing is not None:
                context["existing"] = existing
                return self._render_lookup(request, context)
            self.message_user(
                request,
                _(
                    "Found %(kind)s %(value)s. Check the details below and save; "
                    "nothing is saved until you do."
                )
                % {"kind": KINDS[kind], "value": value},
                messages.INFO,
            )
            url = reverse("admin:references_reference_add")
            return HttpResponseRedirect(
                f"{url}?{urlencode({'lookup': f'{kind}:{value}'})}"
            )
        return self._render_lookup(request, context)

    def _render_lookup(self, request, context):
        return TemplateResponse(
            request, "admin/references/reference/lookup.html", context
        )

    def _manual_url(self, kind: str, value: str) -> str:
        url = reverse("admin:references_reference_add")
        return f"{url}?{urlencode({kind: value})}"

    def get_changeform_initial_data(self, request):
        """The add form filled in from a lookup (`?lookup=doi:…`), read from
        the lookup cache; any other query parameters as the admin reads them."""
        lookup = request.GET.get("lookup", "")
        if not lookup:
            return super().get_changeform_initial_data(request)
        kind, _sep, value = lookup.partition(":")
        try:
            if kind not in KINDS:
                raise IdentifierError(
                    _("This lookup link is not valid; look it up again.")
                )
            value = getattr(identifiers, f"normalize_{kind}")(value)
            return initial_from(look_up(kind, value))
        except IdentifierError as error:
            self.message_user(request, str(error), messages.WARNING)
            return {}
        except ServiceError as error:
            self.message_user(
                request,
                format_html(
                    "{} {}",
                    error,
                    _("Fill in the reference by hand, or try again later."),
                ),
                messages.WARNING,
            )
            return {kind: value}
