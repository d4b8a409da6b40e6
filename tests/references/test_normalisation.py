"""Titles in sentence case and journals' NLM abbreviations, on import."""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from references.identifiers import IdentifierError
from references.importers import parse
from references.journals import abbreviate, journal_key
from references.library import plan_import
from references.lookup import identify
from references.models import JournalAbbreviation
from references.titles import looks_title_case, sentence_case

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
IMPORT_URL = "/admin/references/reference/import/"


@pytest.mark.parametrize(
    "title, expected",
    [
        # Crossref's title for doi:10.1371/journal.pone.0033693 (habanero's cassette)
        (
            "Methylphenidate Exposure Induces Dopamine Neuron Loss and Activation of "
            "Microglia in the Basal Ganglia of Mice",
            "Methylphenidate exposure induces dopamine neuron loss and activation of "
            "microglia in the basal ganglia of mice",
        ),
        # NEJM's Title Case for Coomarasamy 2015, printed as the fixtures' AMA string
        (
            "A Randomized Trial of Progesterone in Women with Recurrent Miscarriages",
            "A randomized trial of progesterone in women with recurrent miscarriages",
        ),
        # PMID 30922926 in the MEDLINE fixture: PubMed keeps the capital after ":"
        (
            "Time Lapse: A Glimpse Into Prehistoric Genomics",
            "Time lapse: A glimpse into prehistoric genomics",
        ),
        # acronyms, internal capitals and proper nouns stay
        (
            "Safety and Efficacy of the BNT162b2 mRNA Covid-19 Vaccine in Israel",
            "Safety and efficacy of the BNT162b2 mRNA Covid-19 vaccine in Israel",
        ),
        (
            "Long-Term Outcomes of Hodgkin Lymphoma Treated With ABVD",
            "Long-term outcomes of Hodgkin lymphoma treated with ABVD",
        ),
    ],
)
def test_title_case_becomes_sentence_case(title, expected):
    assert sentence_case(title) == expected


def test_sentence_case_titles_are_left_alone():
    """Every title in the real MEDLINE export is already sentence case."""
    records = parse((FIXTURES / "pubmed-medline-10-records.txt").read_text())
    for record in records:
        assert sentence_case(record.title) == record.title


def test_bibtex_braces_protect_words():
    title = (
        "{Cervical} Mucus Patterns in the {Utah} Fertility Cohorts: {A} Pooled Analysis"
    )
    assert sentence_case(title, braces=True) == (
        "Cervical mucus patterns in the Utah fertility cohorts: A pooled analysis"
    )


def test_a_bibtex_import_sentence_cases_journal_titles():
    text = (
        "@article{c2015, author = {Coomarasamy, Arri}, year = {2015}, "
        "title = {A Randomized Trial of Progesterone in {UK} Women with Recurrent "
        "Miscarriages}, journal = {The New England Journal of Medicine}}"
    )
    (record,) = parse(text)
    assert record.title == (
        "A randomized trial of progesterone in UK women with recurrent miscarriages"
    )


def test_book_titles_keep_their_title_case():
    text = (
        "@book{a2020, title = {AMA Manual of Style: A Guide for Authors and "
        "Editors}, year = {2020}}"
    )
    (record,) = parse(text)
    assert record.title == "AMA Manual of Style: A Guide for Authors and Editors"


def test_looks_title_case():
    assert looks_title_case("Changing Face of Microglia")
    assert not looks_title_case("Changing face of microglia")


@pytest.mark.parametrize(
    "name",
    [
        "Human Reproduction",
        "human reproduction (Oxford, England)",
        "HUMAN REPRODUCTION",
    ],
)
def test_journal_names_match_the_nlm_title(name):
    assert journal_key(name) == journal_key("Human reproduction (Oxford, England)")


@pytest.mark.django_db
def test_the_shipped_table_has_the_most_cited_journals():
    assert JournalAbbreviation.objects.count() >= 100
    table = {j.title: j.abbreviation for j in JournalAbbreviation.objects.all()}
    assert table["The New England journal of medicine"] == "N Engl J Med"


@pytest.mark.django_db
def test_imports_fill_in_the_nlm_abbreviation():
    """The BibTeX fixture names "Human Reproduction"; the import says Hum Reprod."""
    records = parse((FIXTURES / "najmabadi2021.bib").read_text())
    assert records[0].journal_abbrev == ""
    plan = plan_import(records)
    assert plan.new[0].journal_abbrev == "Hum Reprod"


@pytest.mark.django_db
def test_the_table_wins_over_other_abbreviations_and_is_editable():
    JournalAbbreviation.objects.create(
        title="Journal of testing (Oxford)", abbreviation="J Test"
    )
    (record,) = parse(
        "TY  - JOUR\nTI  - A study\nT2  - The Journal of Testing\nJ2  - J. Test.\n"
        "PY  - 2020\nER  - \n"
    )
    abbreviate([record])
    assert record.journal_abbrev == "J Test"


@pytest.mark.django_db
def test_unknown_journals_keep_their_abbreviation():
    (record,) = parse(
        "TY  - JOUR\nTI  - A study\nT2  - Obscure Letters\nJ2  - Obsc Lett\n"
        "PY  - 2020\nER  - \n"
    )
    abbreviate([record])
    assert record.journal_abbrev == "Obsc Lett"


def test_the_journal_table_is_in_the_admin(client, editor, admin_user):
    client.force_login(admin_user)
    response = client.get("/admin/references/journalabbreviation/?q=reprod")
    assert response.status_code == 200
    assert "Hum Reprod" in response.text


def test_the_import_preview_shows_each_citation_key(client, editor, reference):
    """The preview says which key each new record gets, suffix included."""
    client.force_login(editor)
    text = (
        (FIXTURES / "najmabadi2021.bib")
        .read_text()
        .replace("10.1093/humrep/deab049", "10.5555/another")
        .replace("33990841", "12345678")
    )
    response = client.post(IMPORT_URL, {"text": text, "format": ""})
    assert "[@najmabadi2021a]" in response.text


@given(st.text(max_size=300))
def test_sentence_case_never_crashes(text):
    """Any text, braces or not, comes back as text."""
    assert isinstance(sentence_case(text, braces=True), str)
    assert isinstance(sentence_case(text), str)


@given(st.text(max_size=400))
def test_identify_never_crashes(text):
    """Anything pasted is recognised or refused with a message."""
    try:
        kind, value = identify(text)
    except IdentifierError:
        return
    assert kind in {"doi", "pmid", "pmcid", "isbn"} and value
