"""AMA 11th edition and Vancouver (ICMJE/NLM) reference formatting.

Formatting never fails: rows stored before validation existed may hold names
that are not name objects or a date like 31 February, and they print as well
as they can (a bare string as a group name, the year alone) instead.
"""

import datetime
import re

from django.utils.html import escape

from references.records import Author, people

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


def _name(author: Author) -> str:
    if author.literal:
        return author.literal
    return " ".join(p for p in (author.family, author.initials(), author.suffix) if p)


def _authors(ref, style: str) -> str:
    names = [_name(a) for a in people(ref.authors)]
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


def _month(number) -> str:
    """The abbreviated month name, or "" for anything that is not a month."""
    if isinstance(number, int) and 1 <= number <= 12:
        return MONTHS[number - 1]
    return ""


def _published(ref) -> datetime.date | None:
    """The full publication date, or None when it is partial or impossible."""
    try:
        return datetime.date(ref.year, ref.month, ref.day)
    except (TypeError, ValueError, OverflowError):
        return None


def _edition(ref) -> str:
    edition = (ref.edition or "").strip()
    if not edition or edition == "1":
        return ""
    if re.fullmatch(r"[0-9]{1,6}", edition):
        n = int(edition)
        suffix = (
            "th"
            if 10 <= n % 100 <= 20
            else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        )
        return f"{n}{suffix} ed."
    return _sentence(edition)


def _long_date(day) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _publisher(ref, style: str) -> str:
    if style == "vancouver" and ref.publisher_place and ref.publisher:
        return f"{ref.publisher_place}: {ref.publisher}"
    return ref.publisher or ""


def _journal(ref, style: str) -> list[tuple[str, bool]]:
    journal = ref.journal_abbrev or ref.container_title
    pages = ref.pages.replace("--", "-").replace("\u2013", "-")
    if style == "vancouver":
        pages = _short_range(pages)
    date = str(ref.year or "")
    if style == "vancouver" and _month(ref.month):
        date += f" {_month(ref.month)}"
        if _published(ref):
            date += f" {ref.day}"
    where = f" {date}"
    if ref.volume:
        where += f";{ref.volume}"
        if ref.issue:
            where += f"({ref.issue})"
    if pages:
        where += f":{pages}"
    return [(" ", False), (_sentence(journal), style == "ama"), (where + ".", False)]


def _book(ref, style: str) -> list[tuple[str, bool]]:
    pieces = []
    if ref.kind == "chapter":
        editors = people(ref.editors)
        names = ", ".join(_name(e) for e in editors)
        if names:
            if style == "ama":
                label = "eds" if len(editors) > 1 else "ed"
            else:
                label = "editors" if len(editors) > 1 else "editor"
            pieces.append((f" In: {names}, {label}.", False))
        else:
            pieces.append((" In:", False))
        pieces.append((" " + _sentence(ref.container_title), style == "ama"))
    edition = _edition(ref)
    if edition:
        pieces.append((f" {edition}", False))
    publisher = _publisher(ref, style)
    year = str(ref.year or "")
    pages = ref.pages.replace("--", "-").replace("\u2013", "-")
    if ref.kind == "chapter" and pages and style == "ama":
        pieces.append((f" {publisher}; {year}:{pages}.", False))
    else:
        tail = "; ".join(p for p in (publisher, year) if p)
        if tail:
            pieces.append((f" {tail}.", False))
        if ref.kind == "chapter" and pages:
            pieces.append((f" p. {_short_range(pages)}.", False))
    return pieces


def _online(ref, style: str) -> list[tuple[str, bool]]:
    """Web pages, guidelines and reports."""
    pieces = []
    if style == "ama":
        if ref.kind == "web_page":
            if ref.container_title:
                pieces.append((" " + _sentence(ref.container_title), False))
            published = _published(ref)
            if published:
                pieces.append((f" Published {_long_date(published)}.", False))
            elif ref.year:
                pieces.append((f" Published {ref.year}.", False))
        else:
            tail = "; ".join(str(p) for p in (ref.publisher, ref.year) if p)
            if tail:
                pieces.append((f" {tail}.", False))
        return pieces
    if ref.url:
        pieces[-1:] = []
        pieces.append((" [Internet].", False))
    publisher = _publisher(ref, style) or ref.container_title
    tail = "; ".join(str(p) for p in (publisher, ref.year) if p)
    cited = ""
    if ref.url and ref.accessed:
        accessed = ref.accessed
        cited = f" [cited {accessed.year} {_month(accessed.month)} {accessed.day}]"
    if tail or cited:
        pieces.append((f" {tail}{cited}.".replace(" .", ".").replace("  ", " "), False))
    return pieces


def _parts(ref, style: str) -> list[tuple[str, bool]]:
    """The citation as (text, italic) pieces."""
    pieces = []
    authors = _authors(ref, style)
    if authors:
        pieces.append((_sentence(authors) + " ", False))
    book_title = ref.kind == "book" and style == "ama"
    pieces.append((_sentence(ref.title), book_title))
    if ref.kind == "journal_article":
        pieces += _journal(ref, style)
    elif ref.kind in {"book", "chapter"}:
        pieces += _book(ref, style)
    else:
        if style == "vancouver" and ref.url:
            pieces[-1] = (ref.title.strip().rstrip("."), False)
        pieces += _online(ref, style)
    if ref.doi:
        pieces.append(
            (f" doi:{ref.doi}" if style == "ama" else f" doi: {ref.doi}", False)
        )
    elif ref.url:
        if style == "ama":
            if ref.accessed:
                pieces.append((f" Accessed {_long_date(ref.accessed)}.", False))
            pieces.append((f" {ref.url}", False))
        else:
            pieces.append((f" Available from: {ref.url}", False))
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
