"""The one Markdown pipeline: (markdown, references) → sanitized HTML and more.

The admin's live preview and the stored `Revision.body_html` both come from
`render()`, so the preview is exactly what readers get.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import nh3
from django.conf import settings
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils.html import escape
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin

from articles.citation_problems import explained_citation, similar_keys
from articles.figures import describe_own_images, make_figures
from articles.limits import MAX_NESTING, body_problem
from references.citations import (
    CitationKey,
    find_citations,
    format_number_run,
    number_citations,
)
from references.formatting import format_reference, format_reference_html
from references.models import Reference
from references.records import EVIDENCE_LEVELS

# Private-use characters mark where citations go; Markdown leaves them alone.
OPEN_MARK, CLOSE_MARK = "\ue000", "\ue001"
PLACEHOLDER = re.compile(f"{OPEN_MARK}(\\d+){CLOSE_MARK}")
EVIDENCE_LABELS = dict(EVIDENCE_LEVELS)


def _own_or_https(url: str) -> bool:
    return url.startswith(settings.MEDIA_URL) or url.startswith("https://")


# What `articles.images.display_attributes` writes, and nothing else.
IMAGE_HINTS = {
    "width": re.compile(r"[1-9][0-9]{0,4}"),
    "height": re.compile(r"[1-9][0-9]{0,4}"),
    "loading": re.compile(r"lazy"),
    "decoding": re.compile(r"async"),
    "sizes": re.compile(r"[0-9a-z()+\-:,. ]{1,200}"),
}
SRCSET_CANDIDATE = re.compile(r"(\S+) [1-9][0-9]{0,4}w")


def _only_safe_images(tag: str, attribute: str, value: str) -> str | None:
    # Images may come from our own media or over HTTPS, never data: or http:,
    # and so must every candidate in a srcset.
    if tag != "img":
        return value
    if attribute == "src":
        return value if _own_or_https(value) else None
    if attribute == "srcset":
        candidates = [SRCSET_CANDIDATE.fullmatch(c.strip()) for c in value.split(",")]
        if all(c and _own_or_https(c[1]) for c in candidates):
            return value
        return None
    if attribute in IMAGE_HINTS:
        return value if IMAGE_HINTS[attribute].fullmatch(value) else None
    return value


CLEANER = nh3.Cleaner(
    tags={
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "code",
        "del",
        "em",
        "figcaption",
        "figure",
        "h2",
        "h3",
        "h4",
        "hr",
        "i",
        "img",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "small",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    },
    attributes={
        "a": {"href", "title", "id"},
        "img": {
            "src",
            "alt",
            "title",
            "width",
            "height",
            "loading",
            "decoding",
            "srcset",
            "sizes",
        },
        "h2": {"id"},
        "h3": {"id"},
        "h4": {"id"},
        "ol": {"start"},
        "sup": {"id", "title"},
        "th": {"colspan", "rowspan"},
        "td": {"colspan", "rowspan"},
    },
    allowed_classes={
        "sup": {"citation", "citation-missing"},
        # The preview's explanation of a citation that matches nothing.
        "u": {"citation-unknown"},
        "small": {"citation-reason"},
    },
    url_schemes={"https", "http", "mailto"},
    attribute_filter=_only_safe_images,
    link_rel=None,
)


def _needs_a_closing_bracket(rule):
    """Wrap markdown-it's link or image rule: a `[` with no `]` anywhere after
    it in its inline run cannot start one, so say no without scanning.

    Otherwise every unclosed `[` rescans the rest of the paragraph, up to the
    nesting limit; a paste of brackets would cost seconds.
    """

    def rule_with_precheck(state, silent: bool) -> bool:
        last_close = state.__dict__.setdefault("_last_close", {})
        key = (state.posMax, len(state.src))
        if key not in last_close:
            last_close[key] = state.src.rfind("]", 0, state.posMax)
        if last_close[key] < state.pos:
            return False
        return rule(state, silent)

    return rule_with_precheck


def _build_markdown() -> MarkdownIt:
    # js-default: CommonMark with tables, raw HTML off and link validation on.
    md = MarkdownIt("js-default", {"maxNesting": MAX_NESTING}).use(
        anchors_plugin, min_level=1, max_level=4, permalink=False
    )
    for name in ("link", "image"):
        rule = next(r.fn for r in md.inline.ruler.__rules__ if r.name == name)
        md.inline.ruler.at(name, _needs_a_closing_bracket(rule))
    return md


MARKDOWN = _build_markdown()


@dataclass
class Rendered:
    html: str
    toc: list[dict] = field(default_factory=list)
    references: list[dict] = field(default_factory=list)
    reference_objects: list = field(default_factory=list)
    unresolved: list[CitationKey] = field(default_factory=list)
    citation_count: int = 0
    images_without_alt: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    too_large: str | None = None


RESOLVE_BATCH = 500


def _resolver(keys: Iterable[CitationKey]):
    keys = list(keys)
    by_key = sorted({k.value for k in keys if k.kind == "key"})
    by_doi = sorted({k.value.lower() for k in keys if k.kind == "doi"})
    by_pmid = sorted({k.value for k in keys if k.kind == "pmid"})
    if not keys:
        return lambda key: None
    found = []
    # DOIs are stored as registered and compared without regard to case.
    lookups = [
        (by_key, Reference.objects.all(), "citation_key__in"),
        # The partial unique index on LOWER(doi) serves this lookup.
        (
            by_doi,
            Reference.objects.exclude(doi="").annotate(doi_lower=Lower("doi")),
            "doi_lower__in",
        ),
        (by_pmid, Reference.objects.all(), "pmid__in"),
    ]
    for values, queryset, lookup in lookups:
        for start in range(0, len(values), RESOLVE_BATCH):
            found += queryset.filter(**{lookup: values[start : start + RESOLVE_BATCH]})
    index = {}
    for reference in found:
        index[("key", reference.citation_key)] = reference
        if reference.doi:
            index[("doi", reference.doi.lower())] = reference
        if reference.pmid:
            index[("pmid", reference.pmid)] = reference

    def resolve(key: CitationKey):
        value = key.value.lower() if key.kind == "doi" else key.value
        return index.get((key.kind, value))

    return resolve


def freeze_reference(reference, number: int, style: str) -> dict:
    """The frozen, formatted copy of a reference that a revision keeps."""
    return {
        "number": number,
        "id": reference.pk,
        "key": reference.citation_key,
        "text": format_reference(reference, style),
        "html": format_reference_html(reference, style),
        "doi": reference.doi,
        "pmid": reference.pmid,
        "pmcid": reference.pmcid,
        "url": reference.url,
        "year": reference.year,
        "evidence_level": reference.evidence_level,
        "evidence_label": str(EVIDENCE_LABELS.get(reference.evidence_level, "")),
        "retraction_status": reference.retraction_status,
        "title": reference.title,
        "authors": reference.authors,
        "container_title": reference.container_title,
        "journal_abbrev": reference.journal_abbrev,
        "volume": reference.volume,
        "issue": reference.issue,
        "pages": reference.pages,
        "publisher": reference.publisher,
        "accessed": reference.accessed.isoformat() if reference.accessed else "",
    }


def _citation_html(numbers: list[int]) -> str:
    run = format_number_run(numbers)
    linked = re.sub(r"\d+", lambda m: f'<a href="#ref-{m[0]}">{m[0]}</a>', run)
    return f'<sup class="citation">[{linked}]</sup>'


def _collect_headings(tokens) -> tuple[list[dict], list[str]]:
    toc, images_without_alt = [], []
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            if token.tag == "h1":
                # The page title is the only h1; body headings start at h2.
                token.tag = "h2"
                tokens[index + 2].tag = "h2"
            inline = tokens[index + 1]
            if token.tag in {"h2", "h3"}:
                text = PLACEHOLDER.sub("", inline.content)
                toc.append(
                    {
                        "level": int(token.tag[1]),
                        "id": token.attrGet("id"),
                        "text": text,
                    }
                )
        if token.type == "inline":
            for child in token.children or []:
                if child.type == "image" and not child.content.strip():
                    images_without_alt.append(str(child.attrGet("src")))
    return toc, images_without_alt


def render(
    text: str, style: str | None = None, *, explain_missing: bool = False
) -> Rendered:
    """Render Markdown with citations to sanitized HTML, TOC and references.

    With `explain_missing` (the editor's preview), a citation that matches no
    reference is shown as typed, underlined, with the reason; readers' pages
    never need it, since such an article cannot be submitted.
    """
    style = style or settings.HEALTH_SITE["CITATION_STYLE"]
    text = (text or "").replace(OPEN_MARK, "").replace(CLOSE_MARK, "")
    problem = body_problem(text)
    if problem:
        # Refused before any parsing, so no paste can tie up a worker.
        return Rendered(html="", warnings=[problem], too_large=problem)
    groups = find_citations(text)
    resolve = _resolver(key for group in groups for key in group.keys)
    numbering = number_citations(groups, resolve)

    pieces, last = [], 0
    for index, group in enumerate(groups):
        pieces.append(text[last : group.start])
        pieces.append(f"{OPEN_MARK}{index}{CLOSE_MARK}")
        last = group.end
    pieces.append(text[last:])

    tokens = MARKDOWN.parse("".join(pieces))
    toc, images_without_alt = _collect_headings(tokens)
    make_figures(MARKDOWN, tokens)
    describe_own_images(tokens)
    html = MARKDOWN.renderer.render(tokens, MARKDOWN.options, {})
    similar = {}
    if explain_missing and numbering.unresolved:
        similar = similar_keys(
            [k.value for k in numbering.unresolved if k.kind == "key"]
        )

    unresolved = set(numbering.unresolved)

    def citation(match: re.Match) -> str:
        index = int(match[1])
        group, numbers = groups[index], numbering.numbers_by_group[index]
        missing = [k for k in group.keys if k in unresolved]
        if numbers and len(numbers) == len(set(numbers)) and not missing:
            return _citation_html(numbers)
        if explain_missing:
            return explained_citation(text[group.start : group.end], missing, similar)
        labels = ", ".join(f"@{k.value}" for k in group.keys)
        return (
            f'<sup class="citation-missing" title="Unresolved: {escape(labels)}">'
            "[?]</sup>"
        )

    html = CLEANER.clean(PLACEHOLDER.sub(citation, html))
    references = [
        freeze_reference(reference, number, style)
        for number, reference in enumerate(numbering.order, start=1)
    ]
    warnings = [
        f"Citation {'@' + key.value} (line {key.position.line}, column "
        f"{key.position.column}) matches no reference."
        for key in numbering.unresolved
    ]
    return Rendered(
        html=html,
        toc=toc,
        references=references,
        reference_objects=list(numbering.order),
        unresolved=list(numbering.unresolved),
        citation_count=sum(len(g.keys) for g in groups),
        images_without_alt=images_without_alt,
        warnings=warnings,
    )


def reference_list_html(references: list[dict]) -> str:
    """The numbered reference list as readers see it, stored with the revision."""
    return render_to_string(
        "articles/includes/reference_list.html", {"references": references}
    )


def render_preview(text: str) -> str:
    """markdownx's preview: the body and its numbered references, as readers see."""
    rendered = render(text, explain_missing=True)
    return render_to_string(
        "articles/includes/preview.html",
        {"rendered": rendered, "references": rendered.references},
    )
