"""Bad import data gets a clear message naming record, line and field; never a 500."""

import contextlib
import io
import json

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from references.importers import ImportFormatError, parse
from references.library import plan_import, validate_records
from references.models import Reference

IMPORT_URL = "/admin/references/reference/import/"
PAPER = {
    "type": "article-journal",
    "title": "A trial",
    "author": [{"family": "Smith", "given": "Jane"}],
    "container-title": "BMJ",
    "issued": {"date-parts": [[2020, 3, 14]]},
}


def csl(**changes) -> str:
    item = dict(PAPER, **changes)
    return json.dumps([item])


def check(text: str, fmt: str | None = None) -> None:
    """Parse and validate like an import does, without touching the database."""
    validate_records(parse(text, fmt))


def medline(**tags) -> str:
    fields = {"PMID": "12345678", "TI": "A trial", "DP": "2020 Mar 14", **tags}
    return "".join(f"{tag:<4}- {value}\n" for tag, value in fields.items())


def ris(**tags) -> str:
    fields = {"TY": "JOUR", "TI": "A trial", "PY": "2020", **tags, "ER": ""}
    return "".join(f"{tag}  - {value}\n" for tag, value in fields.items())


# CSL-JSON: the inputs that used to give a 500 -----------------------------------------


@pytest.mark.parametrize(
    "changes,field,message",
    [
        ({"issued": {"date-parts": [2024]}}, "issued", "must be a date like"),
        ({"issued": [[2024, 3]]}, "issued", "must be a date like"),
        ({"issued": {"date-parts": [[2024, 3, 4, 5]]}}, "issued", "must be a date"),
        ({"issued": {"date-parts": [[True]]}}, "issued", "must be a date like"),
        ({"accessed": [[2024, 13, 40]]}, "accessed", "must be a date like"),
        (
            {"accessed": {"date-parts": [[2024, 13, 40]]}},
            "accessed",
            "2024-13-40 is not a real date",
        ),
        ({"accessed": {"date-parts": [[2024]]}}, "accessed", "year, month and day"),
        ({"author": 5}, "author", "must be a list of names"),
        ({"author": ["Smith"]}, "author", "name 1 must be an object"),
        ({"author": [{"family": ["Smith"]}]}, "author", "“family” must be text"),
        ({"editor": {"family": "Jones"}}, "editor", "must be a list of names"),
        ({"type": [["webpage"]]}, "type", "must be text, not a list"),
        ({"DOI": 10.1}, "DOI", "must be text, not a number"),
        ({"title": None, "container-title": True}, "container-title", "not true"),
    ],
)
def test_malformed_csl_fields_are_named(changes, field, message):
    """Each malformed shape names the record and the CSL field."""
    with pytest.raises(ImportFormatError, match=message) as error:
        check(csl(**changes))
    assert (error.value.record, error.value.field) == (1, field)
    assert str(error.value).startswith("Record 1: ")


@pytest.mark.parametrize(
    "changes,field,message",
    [
        (
            {"type": "webpage", "issued": {"date-parts": [[2024, 2, 31]]}},
            "day",
            "Day: February 2024 has only 29 days.",
        ),
        ({"issued": {"date-parts": [[99999]]}}, "year", "Year: "),
        ({"issued": {"date-parts": [[2020, 99999]]}}, "month", "Month: "),
        ({"issued": {"date-parts": [[2020, 0]]}}, "month", "between 1 and 12"),
        ({"issued": {"raw": "3 May 1066"}}, "year", "between 1400 and"),
        ({"author": [{"given": "Jane"}]}, "authors", "needs a family name"),
        ({"container-title": "J" * 501}, "container_title", "at most 500"),
        ({"volume": "1" * 51}, "volume", "Volume: Ensure this value has at most 50"),
        ({"title": "Bad\u0000title"}, "title", "NUL"),
        ({"title": "Bad\ud800title"}, "title", "surrogate"),
        ({"author": [{"family": "Sm\u0000ith"}]}, "authors", "NUL"),
        ({"URL": "javascript:alert(1)"}, "url", "http:// or https://"),
    ],
)
def test_values_are_checked_with_the_model_rules(changes, field, message):
    """Values the admin form would refuse are refused, naming the field."""
    with pytest.raises(ImportFormatError, match=message) as error:
        check(csl(**changes))
    assert (error.value.record, error.value.field) == (1, field)


def test_bad_record_is_numbered_among_good_ones():
    """The message names the bad record, not the first one."""
    text = json.dumps([PAPER, PAPER, dict(PAPER, issued={"date-parts": [2024]})])
    with pytest.raises(ImportFormatError, match=r"^Record 3: “issued”"):
        check(text)


def test_deeply_nested_json_is_refused():
    """100,000 nested [ is a clear error, not a RecursionError."""
    with pytest.raises(ImportFormatError, match="nested too deeply"):
        parse("[" * 100_000)


def test_overlong_json_number_is_refused():
    """An integer too long for Python to convert is a clear error."""
    with pytest.raises(ImportFormatError, match="number is too long"):
        parse('[{"title": "T", "volume": ' + "9" * 5000 + "}]")


def test_csl_numbers_are_accepted_as_text():
    """CSL allows numbers for volume and issue; they are kept as text."""
    [record] = parse(csl(volume=36, issue=7))
    assert (record.volume, record.issue) == ("36", "7")


def test_crossref_style_lists_and_padded_dates_are_read():
    """A list of text takes its first entry; empty date parts end the date."""
    changes = {"container-title": ["BMJ"], "issued": {"date-parts": [["2021", ""]]}}
    [record] = parse(csl(**changes))
    assert (record.container_title, record.year, record.month) == ("BMJ", 2021, None)


def test_csl_suffix_and_particle_are_kept():
    """Suffixes are kept and a non-dropping particle joins the family name."""
    author = [
        {"family": "King", "given": "Martin Luther", "suffix": "Jr"},
        {"family": "Gogh", "given": "Vincent", "non-dropping-particle": "van"},
    ]
    [record] = parse(csl(author=author))
    assert record.authors[0].suffix == "Jr"
    assert record.authors[1].family == "van Gogh"


# BibTeX, RIS and MEDLINE --------------------------------------------------------------


@pytest.mark.parametrize(
    "text,field,message",
    [
        ("@article{a, title={T}, year={99999}}", "year", "is not a year"),
        ("@article{a, title={T}, year={2020}, month={99999}}", "month", "Month: "),
        ("@article{a, title={T}, year={2020}, month={13}}", "month", "1 and 12"),
        (
            "@article{a, title={T}, year={2020}, month={" + "9" * 5000 + "}}",
            "month",
            "is not a month",
        ),
        (
            "@article{a, title={T}, year={2020}, volume={" + "1" * 60 + "}}",
            "volume",
            "at most 50",
        ),
        ("@article{a, title={T}, year={1066}}", "year", "between 1400"),
        ("@article{a, title={T\x00}, year={2020}}", "title", "NUL"),
    ],
)
def test_bibtex_bad_values_are_named(text, field, message):
    """BibTeX records get the same checks, naming the field."""
    with pytest.raises(ImportFormatError, match=message) as error:
        check(text)
    assert (error.value.record, error.value.line, error.value.field) == (1, 1, field)


@pytest.mark.parametrize(
    "tags,field,message",
    [
        ({"DA": "2020/02/30/"}, "day", "February 2020 has only 29 days"),
        ({"DA": "2020/99999999/01"}, "month", "is not a month"),
        ({"DA": "2020/13//"}, "month", "between 1 and 12"),
        ({"PY": "99999"}, "year", "is not a year"),
        ({"VL": "9" * 60}, "volume", "at most 50"),
        ({"UR": "vbscript:msgbox(1)"}, "url", "http:// or https://"),
    ],
)
def test_ris_bad_values_are_named(tags, field, message):
    """RIS records get the same checks, naming the field."""
    with pytest.raises(ImportFormatError, match=message) as error:
        check(ris(**tags))
    assert (error.value.record, error.value.line, error.value.field) == (1, 1, field)


def test_ris_day_month_year_date_is_read():
    """A DA date fills month and day."""
    [record] = parse(ris(DA="2020/03/14/"))
    assert (record.year, record.month, record.day) == (2020, 3, 14)


@pytest.mark.parametrize(
    "tags,field,message",
    [
        ({"DP": "2024 Feb 31"}, "day", "February 2024 has only 29 days"),
        ({"DP": "99999 Feb"}, "year", "is not a year"),
        ({"DP": "2024 Feb 12345678"}, "day", "is not a day"),
        ({"DP": "2024 99"}, "month", "between 1 and 12"),
        ({"VI": "9" * 60}, "volume", "at most 50"),
        ({"TA": "J" * 201}, "journal_abbrev", "at most 200"),
    ],
)
def test_medline_bad_values_are_named(tags, field, message):
    """MEDLINE records get the same checks, naming the field."""
    with pytest.raises(ImportFormatError, match=message) as error:
        check(medline(**tags))
    assert (error.value.record, error.value.line, error.value.field) == (1, 1, field)


# End to end: nothing stored, no 500 ---------------------------------------------------


def test_command_imports_nothing_when_a_later_record_is_bad(db, tmp_path):
    """All or nothing: a bad second record stops the first one too."""
    path = tmp_path / "refs.json"
    bad = dict(PAPER, title="B", issued={"date-parts": [[2020, 99999]]})
    path.write_text(json.dumps([PAPER, bad]))
    with pytest.raises(CommandError, match=r"Record 2: Month: .*Nothing"):
        call_command("import_references", path, stdout=io.StringIO())
    assert not Reference.objects.exists()


@pytest.mark.parametrize(
    "text",
    [
        csl(issued={"date-parts": [2024]}),
        csl(type="webpage", issued={"date-parts": [[2024, 2, 31]]}),
        csl(accessed=[[2024, 13, 40]]),
        csl(author=5),
        "[" * 100_000,
        csl(issued={"date-parts": [[99999]]}),
        csl(issued={"date-parts": [[2020, 99999]]}),
    ],
)
def test_admin_import_shows_the_error_instead_of_a_500(client, editor, text):
    """The reported inputs give the import page with a message, and no rows."""
    client.force_login(editor)
    response = client.post(IMPORT_URL, {"text": text})
    assert response.status_code == 200
    assert "Nothing was imported" in response.content.decode()
    assert not Reference.objects.exists()


def test_plan_import_validates_before_touching_the_database(db):
    """plan_import refuses a bad record itself, so no caller can skip the check."""
    [record] = parse(csl())
    record.year = 99999
    with pytest.raises(ImportFormatError, match="Year"):
        plan_import([record])


# Properties ---------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)
CSL_KEYS = [
    "type",
    "title",
    "author",
    "editor",
    "container-title",
    "issued",
    "accessed",
    "volume",
    "page",
    "DOI",
    "PMID",
    "URL",
    "edition",
]
CSL_ITEM = st.dictionaries(
    st.sampled_from(CSL_KEYS),
    JSON
    | st.fixed_dictionaries({"date-parts": JSON})
    | st.lists(st.fixed_dictionaries({"family": JSON, "given": JSON}), max_size=3),
    max_size=8,
)
PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def only_import_errors(text: str, fmt: str | None = None) -> None:
    with contextlib.suppress(ImportFormatError):
        check(text, fmt)


@PROPERTY
@given(JSON)
def test_any_json_gives_records_or_an_import_error(value):
    """Arbitrary JSON never raises anything but ImportFormatError."""
    only_import_errors(json.dumps(value), "csl_json")


@PROPERTY
@given(st.lists(CSL_ITEM, min_size=1, max_size=3))
def test_any_csl_like_items_give_records_or_an_import_error(items):
    """CSL-shaped items with arbitrary values never raise anything else."""
    only_import_errors(json.dumps(items), "csl_json")


@PROPERTY
@given(st.text(), st.sampled_from(["bibtex", "ris", "medline"]))
def test_any_text_gives_records_or_an_import_error(text, fmt):
    """Arbitrary text in any format never raises anything else."""
    only_import_errors(text, fmt)


TAG_LINES = st.lists(
    st.tuples(
        st.sampled_from(["TI", "DP", "VI", "IP", "PG", "AID", "FAU", "AU", "TA"]),
        st.text(alphabet=st.characters(exclude_categories=["Cs", "Zl", "Zp", "Cc"])),
    ),
    max_size=8,
)


@PROPERTY
@given(TAG_LINES)
def test_any_medline_tags_give_records_or_an_import_error(tags):
    """Well-framed MEDLINE records with arbitrary values never raise anything else."""
    body = "".join(f"{tag:<4}- {value}\n" for tag, value in tags)
    only_import_errors("PMID- 12345678\n" + body, "medline")


@PROPERTY
@given(
    st.dictionaries(
        st.sampled_from(["TI", "PY", "DA", "VL", "SP", "EP", "UR", "DO", "AU"]),
        st.text(alphabet=st.characters(exclude_categories=["Cs", "Zl", "Zp", "Cc"])),
    )
)
def test_any_ris_tags_give_records_or_an_import_error(tags):
    """Well-framed RIS records with arbitrary values never raise anything else."""
    only_import_errors(ris(**tags), "ris")
