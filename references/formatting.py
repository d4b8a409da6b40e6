"""AMA 11th edition and Vancouver (ICMJE/NLM) reference formatting."""

from django.utils.html import escape

from references.records import Author

STYLES = [("ama", "AMA 11th edition"), ("vancouver", "Vancouver (ICMJE/NLM)")]
MONTHS = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
]


def _authors(ref, style: str) -> str:
    people = [Author.from_dict(a) for a in ref.authors or []]
    names = [
        a.literal or " ".join(p for p in (a.family, a.initials()) if p) for a in people
    ]
    limit, shown, tail = (6, 3, "et al") if style == "ama" else (6, 6, "et al.")
    if len(names) > limit:
        names = [*names[:shown], tail]
    return ", ".join(names)


def _sentence(text: str) -> str:
    text = (text or "").strip()
    return text if not text or text[-1] in ".?!" else text + "."


def _short_range(pages: str) -> str:
    first, sep, last = pages.partition("-")
    if not sep or not (first.isdigit() and last.isdigit()) or len(last) != len(first):
        return pages
    i = 0
    while i < len(first) - 1 and first[i] == last[i]:
        i += 1
    return f"{first}-{last[i:]}"


def _parts(ref, style: str) -> list[tuple[str, bool]]:
    """The citation as (text, italic) pieces."""
    pieces = []
    authors = _authors(ref, style)
    if authors:
        pieces.append((_sentence(authors) + " ", False))
    pieces.append((_sentence(ref.title), False))
    journal = ref.journal_abbrev or ref.container_title
    pages = ref.pages.replace("--", "-").replace("\u2013", "-")
    if style == "vancouver":
        pages = _short_range(pages)
    if ref.kind == "journal_article":
        pieces.append((" ", False))
        pieces.append((_sentence(journal), style == "ama"))
        date = str(ref.year or "")
        if style == "vancouver" and ref.month:
            date += f" {MONTHS[ref.month - 1]}"
            if ref.day:
                date += f" {ref.day}"
        where = f" {date}"
        if ref.volume:
            where += f";{ref.volume}"
            if ref.issue:
                where += f"({ref.issue})"
        if pages:
            where += f":{pages}"
        pieces.append((where + ".", False))
    else:
        if ref.container_title and ref.kind == "web_page":
            pieces.append((" " + _sentence(ref.container_title), False))
        publisher = ref.publisher
        if style == "vancouver" and ref.publisher_place and publisher:
            publisher = f"{ref.publisher_place}: {publisher}"
        tail = "; ".join(str(p) for p in (publisher, ref.year) if p)
        if tail:
            pieces.append((f" {tail}.", False))
    if ref.doi:
        pieces.append(
            (f" doi:{ref.doi}" if style == "ama" else f" doi: {ref.doi}", False)
        )
    elif ref.url:
        if ref.accessed:
            accessed = ref.accessed
            if style == "ama":
                pieces.append(
                    (f" Accessed {accessed:%B} {accessed.day}, {accessed.year}.", False)
                )
            else:
                pieces.append(
                    (f" [cited {accessed.year} {accessed:%b} {accessed.day}].", False)
                )
        pieces.append(
            (f" {ref.url}" if style == "ama" else f" Available from: {ref.url}", False)
        )
    return pieces


def format_reference(ref, style: str = "ama") -> str:
    """The plain-text citation."""
    return "".join(text for text, _ in _parts(ref, style)).strip()


def format_reference_html(ref, style: str = "ama") -> str:
    """The citation as HTML, journal in italics."""
    return "".join(
        f"<i>{escape(text)}</i>" if italic else escape(text)
        for text, italic in _parts(ref, style)
    ).strip()
