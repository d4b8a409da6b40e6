"""CSL-JSON, as Zotero, Crossref and citation.js write it."""

import datetime
import json
import re

from references.importers.common import (
    ImportFormatError,
    finish_record,
)
from references.records import Author, ReferenceData
from references.titles import sentence_case

CSL_KINDS = {
    "article-journal": "journal_article",
    "article": "journal_article",
    "book": "book",
    "chapter": "chapter",
    "report": "guideline",
    "webpage": "web_page",
    "post-weblog": "web_page",
}


CSL_DATE_SHAPE = '{"date-parts": [[2024, 3, 14]]}'
CSL_NAME_SHAPE = '[{"family": "Najmabadi", "given": "Shahpar"}]'


def _json_kind(value) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return {dict: "an object", list: "a list", str: "text"}.get(type(value), "a number")


def _csl_text(item: dict, key: str, number: int) -> str:
    """A text field; whole numbers are accepted as text (CSL allows "volume": 36).

    Crossref writes some fields as lists of text ("container-title": ["BMJ"]);
    the first entry is taken.
    """
    value = item.get(key)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = value[0] if value else None
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise ImportFormatError(
        f"“{key}” must be text, not {_json_kind(value)}.", number, field=key
    )


def _csl_date(item: dict, key: str, number: int) -> list[int]:
    """[year, month, day] (as many as given) from a CSL date object."""
    value = item.get(key)
    if value is None:
        return []

    def bad():
        return ImportFormatError(
            f"“{key}” must be a date like {CSL_DATE_SHAPE}.", number, field=key
        )

    if not isinstance(value, dict):
        raise bad()
    if "date-parts" in value:
        parts = value["date-parts"]
        if not isinstance(parts, list) or not all(isinstance(p, list) for p in parts):
            raise bad()
        first = parts[0] if parts else []
        if len(first) > 3:
            raise bad()
        numbers = []
        for part in first:
            if part == "":
                break  # some exporters pad a partial date: [["2021", "", ""]]
            if isinstance(part, str) and re.fullmatch(r"[0-9]{1,6}", part.strip()):
                part = int(part)
            if not isinstance(part, int) or isinstance(part, bool):
                raise bad()
            numbers.append(part)
        return numbers
    raw = value.get("raw")
    if raw is None:
        return []  # a season or literal date: nothing to store
    if not isinstance(raw, str):
        raise bad()
    numbers = re.findall(r"[0-9]+", raw)[:3]
    if any(len(n) > 6 for n in numbers):
        raise bad()
    return [int(n) for n in numbers]


def _csl_names(item: dict, key: str, number: int) -> list[Author]:
    value = item.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ImportFormatError(
            f"“{key}” must be a list of names like {CSL_NAME_SHAPE}, not "
            f"{_json_kind(value)}.",
            number,
            field=key,
        )
    names = []
    for position, name in enumerate(value, 1):
        if not isinstance(name, dict):
            raise ImportFormatError(
                f"“{key}” name {position} must be an object like "
                f'{{"family": "Najmabadi", "given": "Shahpar"}}, not '
                f"{_json_kind(name)}.",
                number,
                field=key,
            )
        parts = {}
        for part in ("family", "given", "literal", "suffix", "non-dropping-particle"):
            text = name.get(part)
            if text is not None and not isinstance(text, str):
                raise ImportFormatError(
                    f"“{key}” name {position}: “{part}” must be text, not "
                    f"{_json_kind(text)}.",
                    number,
                    field=key,
                )
            parts[part] = text or ""
        if parts["literal"]:
            names.append(Author(literal=parts["literal"]))
            continue
        family = " ".join(
            p for p in (parts["non-dropping-particle"], parts["family"]) if p
        )
        names.append(
            Author(family=family, given=parts["given"], suffix=parts["suffix"])
        )
    return names


def _csl_accessed(item: dict, number: int) -> datetime.date | None:
    parts = _csl_date(item, "accessed", number)
    if not parts:
        return None
    if len(parts) != 3:
        raise ImportFormatError(
            "“accessed” needs a year, month and day, like "
            '{"date-parts": [[2024, 3, 14]]}.',
            number,
            field="accessed",
        )
    try:
        return datetime.date(*parts)
    except (ValueError, OverflowError):
        shown = "-".join(str(p)[:6] for p in parts)
        raise ImportFormatError(
            f"“accessed” {shown} is not a real date.", number, field="accessed"
        ) from None


def parse_csl_json(text: str) -> list[ReferenceData]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFormatError(
            f"invalid JSON: {error.msg}.", line=error.lineno
        ) from None
    except RecursionError:
        raise ImportFormatError("invalid JSON: it is nested too deeply.") from None
    except ValueError:  # an integer too long to convert
        raise ImportFormatError("invalid JSON: a number is too long.") from None
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise ImportFormatError("CSL-JSON must be a list of items.")
    records = []
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise ImportFormatError("each item must be a JSON object.", number)
        records.append(finish_record(csl_record(item, number), number, None))
    return records


def csl_record(item: dict, number: int) -> ReferenceData:
    def text(key: str) -> str:
        return _csl_text(item, key, number)

    issued = _csl_date(item, "issued", number)
    kind = CSL_KINDS.get(text("type"), "journal_article")
    return ReferenceData(
        kind=kind,
        title=sentence_case(text("title"))
        if kind == "journal_article"
        else text("title"),
        authors=_csl_names(item, "author", number),
        editors=_csl_names(item, "editor", number),
        container_title=text("container-title"),
        journal_abbrev=text("container-title-short") or text("journalAbbreviation"),
        year=issued[0] if issued else None,
        month=issued[1] if len(issued) > 1 else None,
        day=issued[2] if len(issued) > 2 else None,
        volume=text("volume"),
        issue=text("issue"),
        pages=text("page"),
        publisher=text("publisher"),
        publisher_place=text("publisher-place"),
        edition=text("edition"),
        doi=text("DOI"),
        pmid=text("PMID"),
        pmcid=text("PMCID"),
        isbn=text("ISBN"),
        url=text("URL"),
        accessed=_csl_accessed(item, number),
    )
