from hypothesis import given
from hypothesis import strategies as st

from references.citations import (
    find_citations,
    format_number_run,
    number_citations,
)


def keys(text):
    return [[(k.kind, k.value) for k in g.keys] for g in find_citations(text)]


def test_single_and_grouped_citations():
    """Pandoc groups split on semicolons."""
    assert keys("A [@a2020]. B [@a2020; @b2019].") == [
        [("key", "a2020")],
        [("key", "a2020"), ("key", "b2019")],
    ]


def test_doi_and_pmid_citations():
    """doi: and pmid: keys are recognised and normalized."""
    assert keys("[@doi:10.1093/HUMREP/deab049] [@pmid:33990841]") == [
        [("doi", "10.1093/humrep/deab049")],
        [("pmid", "33990841")],
    ]


def test_code_and_email_are_not_citations():
    """Citations in code, email addresses and plain brackets are ignored."""
    text = "`[@a2020]`\n\n```\n[@b2020]\n```\nmail a@b.org [text] [@]"
    assert keys(text) == []


def test_positions_are_line_and_column():
    """Each key knows its line and column for error messages."""
    key = find_citations("x\n  [@a2020]")[0].keys[0]
    assert (key.position.line, key.position.column) == (2, 4)


def test_numbering_in_order_of_first_citation():
    """Sources are numbered by first citation and reuse their number."""
    groups = find_citations("[@b] [@a; @b] [@c] [@a]")
    result = number_citations(groups, lambda k: k.value)
    assert result.order == ["b", "a", "c"]
    assert result.numbers_by_group == [[1], [1, 2], [3], [2]]


def test_unresolved_keys_are_reported():
    """Keys that resolve to nothing are listed in text order."""
    groups = find_citations("[@known] [@missing]")
    result = number_citations(groups, lambda k: k.value if k.value == "known" else None)
    assert [k.value for k in result.unresolved] == ["missing"]


def test_number_runs():
    """Runs of three or more collapse; pairs stay apart."""
    assert format_number_run([1]) == "1"
    assert format_number_run([2, 1]) == "1,2"
    assert format_number_run([1, 2, 3]) == "1-3"
    assert format_number_run([1, 2, 3, 5, 7, 8, 9]) == "1-3,5,7-9"


@given(st.text())
def test_parser_never_crashes_and_offsets_slice_back(text):
    """On any text, groups slice back to [@…]."""
    for group in find_citations(text):
        piece = text[group.start : group.end]
        assert piece.startswith("[") and piece.endswith("]") and "@" in piece


@given(st.lists(st.integers(min_value=1, max_value=200), max_size=30))
def test_number_run_round_trips(numbers):
    """The run text expands back to the same set of numbers."""
    text = format_number_run(numbers)
    expanded = set()
    for part in filter(None, text.split(",")):
        start, _, end = part.partition("-")
        expanded.update(range(int(start), int(end or start) + 1))
    assert expanded == set(numbers)
