"""Pandoc-style citations in Markdown: [@key], [@a; @b], [@doi:…], [@pmid:…]."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

GROUP = re.compile(r"\[(\s*@[^\[\]\n]+?)\]")
KEY = re.compile(r"@([A-Za-z0-9_][\w:.#$%&\-+?<>~/]*)")
FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.M | re.S)
CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S)


@dataclass(frozen=True)
class Position:
    line: int
    column: int
    offset: int


@dataclass(frozen=True)
class CitationKey:
    kind: str
    value: str
    position: Position


@dataclass
class CitationGroup:
    start: int
    end: int
    keys: list[CitationKey]


@dataclass
class NumberingResult:
    order: list = field(default_factory=list)
    numbers_by_group: list[list[int]] = field(default_factory=list)
    unresolved: list[CitationKey] = field(default_factory=list)


def _position(text: str, offset: int) -> Position:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Position(line=line, column=column, offset=offset)


def _classify(raw: str) -> tuple[str, str]:
    lowered = raw.lower()
    if lowered.startswith("doi:"):
        return "doi", raw[4:].lower()
    if lowered.startswith("pmid:"):
        return "pmid", raw[5:]
    return "key", raw


def find_citations(text: str) -> list[CitationGroup]:
    """Every citation group outside code, in text order."""
    masked = list(text)
    for pattern in (FENCE, CODE_SPAN):
        for match in pattern.finditer("".join(masked)):
            masked[match.start() : match.end()] = " " * (match.end() - match.start())
    masked_text = "".join(masked)
    groups = []
    for match in GROUP.finditer(masked_text):
        inner = match.group(1)
        parts = inner.split(";")
        keys, offset = [], match.start(1)
        valid = True
        for part in parts:
            found = KEY.search(part)
            if found is None or part[: found.start()].strip():
                valid = False
                break
            raw = found.group(1).rstrip(".,:;")
            kind, value = _classify(raw)
            keys.append(
                CitationKey(kind, value, _position(text, offset + found.start()))
            )
            offset += len(part) + 1
        if valid and keys:
            groups.append(CitationGroup(match.start(), match.end(), keys))
    return groups


def number_citations(
    groups: list[CitationGroup], resolve: Callable[[CitationKey], object | None]
) -> NumberingResult:
    """Number resolved sources in order of first citation."""
    result = NumberingResult()
    for group in groups:
        numbers = []
        for key in group.keys:
            source = resolve(key)
            if source is None:
                result.unresolved.append(key)
                continue
            if source not in result.order:
                result.order.append(source)
            numbers.append(result.order.index(source) + 1)
        result.numbers_by_group.append(sorted(set(numbers)))
    return result


def format_number_run(numbers: list[int]) -> str:
    """1,2 stay apart; 3 or more consecutive numbers collapse: 1-3,5,7-9."""
    ordered = sorted(set(numbers))
    runs, start = [], 0
    for i in range(1, len(ordered) + 1):
        if i == len(ordered) or ordered[i] != ordered[i - 1] + 1:
            run = ordered[start:i]
            if len(run) >= 3:
                runs.append(f"{run[0]}-{run[-1]}")
            else:
                runs.extend(str(n) for n in run)
            start = i
    return ",".join(runs)
