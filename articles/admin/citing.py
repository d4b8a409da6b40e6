"""The citation picker's search over the reference library, for the editor.

The editor's `[@` autocomplete and its "Cite" dialog ask this endpoint for
references matching what the writer typed: by citation key, first author,
year, title or DOI. It answers staff who may see the library (writers,
reviewers and editors), never anyone else.
"""

import re

from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from articles.admin.editor import staff_only
from references.models import Reference
from references.records import people

MAX_QUERY = 100
MAX_TERMS = 6
MAX_RESULTS = 10
MAX_TITLE = 300
YEAR = re.compile(r"[12]\d{3}")
# What a writer may type before the identifier itself.
PREFIXES = re.compile(r"^(?:@|doi:|pmid:|https?://(?:dx\.)?doi\.org/)+", re.IGNORECASE)
FIELDS = ["citation_key", "title", "authors", "year", "doi", "retraction_status"]


def matching(query: str) -> QuerySet[Reference]:
    """References matching every word of `query` in some field, best first.

    A word matches a key, the first author's family or group name, the title
    or the DOI (case-insensitively), or the year exactly; an empty query
    gives the newest references.
    """
    terms = [PREFIXES.sub("", word) for word in query.split()[:MAX_TERMS]]
    terms = [term for term in terms if term]
    references = Reference.objects.only(*FIELDS)
    if not terms:
        return references.order_by("-created_at", "-pk")
    for term in terms:
        condition = (
            Q(citation_key__icontains=term)
            | Q(title__icontains=term)
            | Q(doi__icontains=term)
            | Q(authors__0__family__icontains=term)
            | Q(authors__0__literal__icontains=term)
        )
        if YEAR.fullmatch(term):
            condition |= Q(year=int(term))
        if term.isdigit():
            condition |= Q(pmid=term)
        references = references.filter(condition)
    first = terms[0]
    rank = Case(
        When(citation_key__iexact=first, then=Value(0)),
        When(citation_key__istartswith=first, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return references.annotate(rank=rank).order_by(
        "rank", F("year").desc(nulls_last=True), "citation_key"
    )


def first_author(reference: Reference) -> str:
    """The first author as a reference list names them: "Najmabadi S et al"."""
    names = people(reference.authors)
    if not names:
        return ""
    first = names[0]
    name = first.literal or " ".join(p for p in (first.family, first.initials()) if p)
    return f"{name} et al" if len(names) > 1 else name


def describe(reference: Reference) -> dict:
    title = reference.title
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1] + "…"
    return {
        "key": reference.citation_key,
        "author": first_author(reference),
        "year": reference.year,
        "title": title,
        "doi": reference.doi,
        "retracted": reference.is_retracted,
    }


@require_GET
@staff_only
def search(request):
    """Up to ten references matching `q`, as JSON, for the citation picker."""
    if not request.user.has_perm("references.view_reference"):
        raise PermissionDenied
    query = request.GET.get("q", "").strip()
    if len(query) > MAX_QUERY:
        return JsonResponse(
            {
                "error": _("Search for at most %(n)s characters.") % {"n": MAX_QUERY},
                "results": [],
            },
            status=400,
        )
    results = [describe(r) for r in matching(query)[:MAX_RESULTS]]
    may_add = request.user.has_perm("references.add_reference")
    add_url = reverse("admin:references_reference_add") if may_add else ""
    response = JsonResponse({"query": query, "results": results, "add_url": add_url})
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
