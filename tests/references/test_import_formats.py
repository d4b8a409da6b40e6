import json
import re
from pathlib import Path

import pytest

from references.importers import ImportFormatError, detect_format, parse

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MEDLINE = FIXTURES / "pubmed-medline-10-records.txt"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def medline_pairs() -> list[tuple[str, str]]:
    """(PMID, DOI) pairs read straight from the fixture file."""
    pairs = []
    for record in re.split(r"\n(?=PMID- )", fixture(MEDLINE.name)):
        pmid = re.search(r"^PMID- (\d+)", record, re.M).group(1)
        doi = re.search(r"^(?:AID|LID) - (\S+) \[doi\]", record, re.M).group(1)
        pairs.append((pmid, doi))
    return pairs


@pytest.mark.parametrize(
    "name", ["najmabadi2021.bib", "najmabadi2021.ris", "najmabadi2021.csl.json"]
)
def test_each_format_imports_the_same_paper(name):
    """BibTeX, RIS and CSL-JSON give the same record."""
    [record] = parse(fixture(name))
    assert record.title.startswith("Cervical mucus patterns and the fertile window")
    assert [a.family for a in record.authors][:2] == ["Najmabadi", "Schliep"]
    assert len(record.authors) == 6
    assert (record.year, record.volume, record.issue) == (2021, "36", "7")
    assert record.pages == "1784-1795"
    assert record.doi == "10.1093/humrep/deab049"
    assert record.pmid == "33990841"


def test_medline_imports_all_ten_records_with_ids():
    """The PubMed export imports 10 records, each with its PMID and DOI."""
    records = parse(fixture(MEDLINE.name))
    assert [(r.pmid, r.doi) for r in records] == medline_pairs()
    assert len(records) == 10


def test_medline_joins_continuation_lines_and_prefers_full_names():
    """Wrapped titles are joined; FAU gives full given names."""
    first = parse(fixture(MEDLINE.name))[0]
    assert first.title == "Time lapse: A glimpse into prehistoric genomics"
    assert (first.authors[0].family, first.authors[0].given) == ("Griffin", "Darren K")
    assert (first.year, first.month) == (2020, 2)


def test_ris_survives_byte_order_mark():
    """A UTF-8 BOM does not make RIS import silently empty."""
    assert len(parse("\ufeff" + fixture("najmabadi2021.ris"))) == 1


def test_detect_format():
    """Formats are detected from content."""
    assert detect_format(fixture("najmabadi2021.bib")) == "bibtex"
    assert detect_format(fixture("najmabadi2021.ris")) == "ris"
    assert detect_format(fixture("najmabadi2021.csl.json")) == "csl_json"
    assert detect_format(fixture(MEDLINE.name)) == "medline"


def test_unknown_format_is_reported():
    """Plain text is refused with the list of formats."""
    with pytest.raises(ImportFormatError, match="expected BibTeX, RIS"):
        parse("just some words")


def test_bibtex_unclosed_brace_reports_record():
    """A broken BibTeX entry is reported by record and line."""
    good = fixture("najmabadi2021.bib")
    broken = good + "\n@article{broken2020,\n  title = {Unclosed,\n  year = 2020\n"
    with pytest.raises(ImportFormatError) as error:
        parse(broken)
    assert error.value.record == 2
    assert error.value.line == good.count("\n") + 2


def test_ris_record_without_title():
    """An RIS record with no title names its record number and line."""
    good = fixture("najmabadi2021.ris")
    untitled = "\n".join(ln for ln in good.splitlines() if not ln.startswith("TI"))
    with pytest.raises(
        ImportFormatError, match=r"Record 2 \(line \d+\): missing title"
    ):
        parse(good + "\n" + untitled + "\n")


def test_csl_json_syntax_error_reports_line():
    """Invalid JSON reports the line of the syntax error."""
    with pytest.raises(ImportFormatError, match="line 3") as error:
        parse('[\n{"title": "x"},\n{"title": }\n]')
    assert error.value.line == 3


def test_medline_bad_pmid():
    """A bad PMID is reported with its record and line, nothing returned."""
    text = fixture(MEDLINE.name).replace("PMID- 37068225", "PMID- 037068225")
    with pytest.raises(ImportFormatError, match="Record 2") as error:
        parse(text)
    assert "not a PMID" in str(error.value)


def test_invalid_doi_is_refused():
    """An invalid DOI stops the import and says why."""
    item = json.loads(fixture("najmabadi2021.csl.json"))
    item[0]["DOI"] = "10.1093"
    with pytest.raises(ImportFormatError, match="Record 1: .*is not a DOI"):
        parse(json.dumps(item))


def test_medline_suggests_evidence_from_publication_types():
    """PubMed publication types suggest an evidence level."""
    text = fixture(MEDLINE.name).replace(
        "PMID- 30922926", "PMID- 30922926\nPT  - Randomized Controlled Trial", 1
    )
    assert parse(text)[0].evidence_level == "rct"
