"""Pandoc-style citations in Markdown: [@key], [@a; @b], [@doi:…], [@pmid:…]."""

import bisect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

GROUP = re.compile(r"\[(\s*@[^\[\]\n]+?)\]")
KEY = re.compile(r"@([A-Za-z0-9_][\w:.#$%&\-+?<>~/]*)")
FENCE_OPEN = re.compile(r" {0,3}(`{3,}|~{3,})")
BACKTICKS = re.compile(r"`+")


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


class _Lines:
    """Line and column of an offset, by binary search over the line starts."""

    def __init__(self, text: str):
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> Position:
        line = bisect.bisect_right(self.starts, offset)
        return Position(
            line=line, column=offset - self.starts[line - 1] + 1, offset=offset
        )


def _classify(raw: str) -> tuple[str, str]:
    lowered = raw.lower()
    if lowered.startswith("doi:"):
        return "doi", raw[4:].lower()
    if lowered.startswith("pmid:"):
        return "pmid", raw[5:]
    return "key", raw


def _fenced_blocks(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every fenced code block, in one pass over the lines."""
    offset, opened = 0, None
    for line in text.splitlines(keepends=True):
        if opened is None:
            match = FENCE_OPEN.match(line)
            if match:
                opened = (offset, match.group(1)[0], len(match.group(1)))
        else:
            start, char, length = opened
            stripped = line.strip()
            run = len(stripped) - len(stripped.lstrip(char))
            if run >= length and not stripped[run:].strip() and stripped[:1] == char:
                yield start, offset + len(line)
                opened = None
        offset += len(line)
    if opened is not None:  # an unclosed fence runs to the end, as in CommonMark
        yield opened[0], len(text)


def _code_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every code span: a run of backticks up to the next run of
    the same length. Linear: each run's closer is looked up, not searched for."""
    runs = [(m.start(), m.end()) for m in BACKTICKS.finditer(text)]
    closer: list[int | None] = [None] * len(runs)
    next_of_length: dict[int, int] = {}
    for index in range(len(runs) - 1, -1, -1):
        length = runs[index][1] - runs[index][0]
        closer[index] = next_of_length.get(length)
        next_of_length[length] = index
    index = 0
    while index < len(runs):
        end = closer[index]
        if end is None:
            index += 1
            continue
        yield runs[index][0], runs[end][1]
        index = end + 1


def _mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    pieces, last = [], 0
    for start, end in spans:
        if start < last:
            continue
        pieces += [text[last:start], " " * (end - start)]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def find_citations(text: str) -> list[CitationGroup]:
    """Every citation group outside code, in text order. Linear in the text."""
    masked = _mask(text, _fenced_blocks(text))
    masked = _mask(masked, _code_spans(masked))
    lines = _Lines(text)
    groups = []
    for match in GROUP.finditer(masked):
        inner = match.group(1)
        keys, offset = [], match.start(1)
        valid = True
        for part in inner.split(";"):
            found = KEY.search(part)
            if found is None or part[: found.start()].strip():
                valid = False
                break
            raw = found.group(1).rstrip(".,:;")
            kind, value = _classify(raw)
            keys.append(
                CitationKey(kind, value, lines.position(offset + found.start()))
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
    numbers_by_source: dict = {}
    for group in groups:
        numbers = []
        for key in group.keys:
            source = resolve(key)
            if source is None:
                result.unresolved.append(key)
                continue
            if source not in numbers_by_source:
                result.order.append(source)
                numbers_by_source[source] = len(result.order)
            numbers.append(numbers_by_source[source])
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
