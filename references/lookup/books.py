"""ISBNs: Open Library's Books API.

Open Library is free, needs no key, and `api/books?bibkeys=ISBN:…&jscmd=data`
answers in one request with the authors' names, publishers, place and date.
"""

import json
import re

from references.importers.common import ImportFormatError, finish_record, parse_person
from references.lookup.client import NotFound, ServiceError, build_url, config, get
from references.lookup.connection import Deadline
from references.records import Author, ReferenceData

# Words that make an author's name a group's ("JAMA Network Editors").
GROUP_WORDS = re.compile(
    r"\b(association|board|college|committee|consortium|editors|group|institute|"
    r"network|organi[sz]ation|society|staff|team)\b",
    re.I,
)


def _names(items) -> list[str]:
    if not isinstance(items, list):
        return []
    return [
        item["name"].strip()
        for item in items
        if isinstance(item, dict) and isinstance(item.get("name"), str)
    ]


def look_up_isbn(isbn: str, deadline: Deadline | None = None) -> ReferenceData:
    """A book's record from Open Library."""
    url = build_url(
        config("OPENLIBRARY_URL"),
        "api/books",
        {"bibkeys": f"ISBN:{isbn}", "format": "json", "jscmd": "data"},
    )
    response = get(url, service="Open Library", deadline=deadline)
    try:
        answer = json.loads(response.text())
    except (ValueError, RecursionError):
        raise ServiceError(
            "Open Library sent an answer that is not valid JSON."
        ) from None
    book = answer.get(f"ISBN:{isbn}") if isinstance(answer, dict) else None
    if not isinstance(book, dict):
        raise NotFound("Open Library has no book with this ISBN.")
    title = book.get("title") if isinstance(book.get("title"), str) else ""
    subtitle = book.get("subtitle") if isinstance(book.get("subtitle"), str) else ""
    year = re.search(r"\b(1[4-9]\d\d|20\d\d)\b", str(book.get("publish_date", "")))
    try:
        data = ReferenceData(
            kind="book",
            title=f"{title}: {subtitle}" if subtitle else title,
            authors=[
                Author(literal=name) if GROUP_WORDS.search(name) else parse_person(name)
                for name in _names(book.get("authors"))
            ],
            publisher=", ".join(_names(book.get("publishers"))[:1]),
            publisher_place=", ".join(_names(book.get("publish_places"))[:1]),
            year=int(year.group(1)) if year else None,
            isbn=isbn,
        )
        return finish_record(data, 1, None)
    except ImportFormatError as error:
        raise ServiceError(
            f"Open Library sent a record we cannot use: {error}"
        ) from None
