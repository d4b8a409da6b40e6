"""Why a citation matches no reference, told to the writer in the preview.

Readers never see this: an article citing a key that matches nothing cannot
be submitted. The editor's live preview shows such a citation as typed,
underlined, with the reason, and for a key close to one in the library
("najmabadi2020" for najmabadi2021, or a key in the wrong case) the keys it
may have meant.
"""

import difflib
import re

from django.db.models import Q
from django.utils.html import escape
from django.utils.translation import gettext as _

from references.citations import CitationKey
from references.identifiers import IdentifierError, normalize_doi, normalize_pmid
from references.models import Reference

# What a stored citation key may be made of (`Reference.citation_key`, a slug).
CITATION_KEY = re.compile(r"[-a-zA-Z0-9_]+")
# The author part of a generated key: najmabadi in najmabadi2021.
STEM = re.compile(r"[a-zA-Z]{3,}")
MAX_LOOKED_UP = 20
MAX_CANDIDATES = 200


def _valid(normalize, value: str) -> bool:
    try:
        normalize(value)
    except IdentifierError:
        return False
    return True


def similar_keys(keys: list[str]) -> dict[str, list[str]]:
    """For each unknown key, up to three library keys it may have meant:
    those sharing its author part, closest first. One query."""
    stems = {}
    for key in keys:
        match = STEM.match(key)
        if match and CITATION_KEY.fullmatch(key) and len(stems) < MAX_LOOKED_UP:
            stems[key] = match[0].lower()
    if not stems:
        return {}
    wanted = Q()
    for stem in set(stems.values()):
        wanted |= Q(citation_key__istartswith=stem)
    candidates = list(
        Reference.objects.filter(wanted)
        .order_by("citation_key")
        .values_list("citation_key", flat=True)[:MAX_CANDIDATES]
    )
    similar = {}
    for key, stem in stems.items():
        shared = {c.lower(): c for c in candidates if c.lower().startswith(stem)}
        close = difflib.get_close_matches(key.lower(), shared, n=3, cutoff=0.6)
        similar[key] = [shared[c] for c in close]
    return similar


def citation_problem(key: CitationKey, similar: list[str] = ()) -> str:
    """Why a citation key matches no reference, in words for the writer."""
    if key.kind == "doi":
        message = _("No reference with the DOI %(value)s in the library")
        if not _valid(normalize_doi, key.value):
            message = _("malformed DOI “%(value)s”: a DOI looks like 10.1234/abcd")
    elif key.kind == "pmid":
        message = _("No reference with the PMID %(value)s in the library")
        if not _valid(normalize_pmid, key.value):
            message = _("malformed PMID “%(value)s”: a PMID is 1 to 8 digits")
    elif CITATION_KEY.fullmatch(key.value):
        message = _("No reference with the key “%(value)s” in the library")
    else:
        message = _(
            "malformed key “%(value)s”: keys have only letters, digits, hyphens "
            "and underscores"
        )
    message %= {"value": key.value}
    if similar:
        message += _("; did you mean %(keys)s?") % {
            "keys": _(" or ").join(f"“{k}”" for k in similar)
        }
    return message


def explained_citation(
    typed: str, missing: list[CitationKey], similar: dict[str, list[str]]
) -> str:
    """The preview's mark for a citation with unknown keys: what was typed,
    underlined, and why each unknown key matches nothing."""
    reasons = "; ".join(
        citation_problem(key, similar.get(key.value, [])) for key in missing
    )
    return (
        f'<u class="citation-unknown">{escape(typed)}</u> '
        f'<small class="citation-reason">({escape(reasons)})</small>'
    )
