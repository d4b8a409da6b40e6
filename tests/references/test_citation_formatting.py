"""Exact AMA 11th edition and Vancouver (ICMJE/NLM) strings."""

import datetime
import json
from pathlib import Path

import pytest

from references.formatting import format_reference, format_reference_html
from references.importers import parse
from references.records import Author, ReferenceData

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
AMA_NAJMABADI = (
    "Najmabadi S, Schliep KC, Simonsen SE, Porucznik CA, Egger MJ, Stanford JB. "
    "Cervical mucus patterns and the fertile window in women without known "
    "subfertility: a pooled analysis of three cohorts. Hum Reprod. "
    "2021;36(7):1784-1795. doi:10.1093/humrep/deab049"
)
VANCOUVER_NAJMABADI = (
    "Najmabadi S, Schliep KC, Simonsen SE, Porucznik CA, Egger MJ, Stanford JB. "
    "Cervical mucus patterns and the fertile window in women without known "
    "subfertility: a pooled analysis of three cohorts. Hum Reprod. "
    "2021;36(7):1784-95. doi: 10.1093/humrep/deab049"
)


@pytest.fixture
def najmabadi():
    return parse((FIXTURES / "najmabadi2021.csl.json").read_text())[0]


def people(*names):
    return [Author(family=f, given=g) for f, g in names]


def test_ama_matches_fixture_exactly(najmabadi):
    """AMA: full page range, doi: without a space."""
    assert format_reference(najmabadi, "ama") == AMA_NAJMABADI


def test_vancouver_matches_fixture_exactly(najmabadi):
    """Vancouver: shortened page range, doi: with a space."""
    assert format_reference(najmabadi, "vancouver") == VANCOUVER_NAJMABADI


def test_ama_more_than_six_authors():
    """AMA lists the first 3 authors, then et al."""
    ref = ReferenceData(
        title="A randomized trial of progesterone in women with recurrent miscarriages",
        authors=people(
            ("Coomarasamy", "Arri"),
            ("Williams", "Helen"),
            ("Truchanowicz", "Ewa"),
            ("Seed", "Paul T"),
            ("Small", "Rachel"),
            ("Quenby", "Siobhan"),
            ("Gupta", "Pratima"),
        ),
        journal_abbrev="N Engl J Med",
        year=2015,
        volume="373",
        issue="22",
        pages="2141-2148",
        doi="10.1056/NEJMoa1504927",
    )
    assert format_reference(ref, "ama") == (
        "Coomarasamy A, Williams H, Truchanowicz E, et al. A randomized trial of "
        "progesterone in women with recurrent miscarriages. N Engl J Med. "
        "2015;373(22):2141-2148. doi:10.1056/NEJMoa1504927"
    )


def test_vancouver_more_than_six_authors():
    """Vancouver (ICMJE) lists the first 6 authors, then et al."""
    ref = ReferenceData(
        title="Regulation of interstitial excitatory amino acid concentrations "
        "after cortical contusion injury",
        authors=people(
            ("Rose", "M E"),
            ("Huerbin", "M B"),
            ("Melick", "J"),
            ("Marion", "D W"),
            ("Palmer", "A M"),
            ("Schiding", "J K"),
            ("Kochanek", "P M"),
        ),
        journal_abbrev="Brain Res",
        year=2002,
        volume="935",
        issue="1-2",
        pages="40-46",
    )
    assert format_reference(ref, "vancouver") == (
        "Rose ME, Huerbin MB, Melick J, Marion DW, Palmer AM, Schiding JK, et al. "
        "Regulation of interstitial excitatory amino acid concentrations after "
        "cortical contusion injury. Brain Res. 2002;935(1-2):40-6."
    )


def test_vancouver_prints_month_and_day():
    """Vancouver puts month and day after the year; AMA does not."""
    ref = ReferenceData(
        title="Solid-organ transplantation in HIV-infected patients",
        authors=people(("Halpern", "Scott D"), ("Ubel", "Peter A"), ("Caplan", "A L")),
        journal_abbrev="N Engl J Med",
        year=2002,
        month=7,
        day=25,
        volume="347",
        issue="4",
        pages="284-287",
    )
    assert format_reference(ref, "vancouver") == (
        "Halpern SD, Ubel PA, Caplan AL. Solid-organ transplantation in "
        "HIV-infected patients. N Engl J Med. 2002 Jul 25;347(4):284-7."
    )
    assert "2002;347(4):284-287." in format_reference(ref, "ama")


@pytest.mark.parametrize(
    "pages,short",
    [
        ("284-287", "284-7"),
        ("1784-1795", "1784-95"),
        ("123-124", "123-4"),
        ("1199-1201", "1199-201"),
        ("e1234", "e1234"),
        ("103640", "103640"),
    ],
)
def test_vancouver_page_ranges(pages, short):
    """Vancouver drops repeated leading digits of the last page."""
    ref = ReferenceData(title="T", journal_abbrev="J", year=2020, pages=pages)
    assert format_reference(ref, "vancouver").endswith(f":{short}.")


def test_group_author():
    """Group authors print as written, alongside people."""
    ref = ReferenceData(
        title="A community challenge for drug combinations",
        authors=[
            Author(literal="AstraZeneca-Sanger Drug Combination DREAM Consortium"),
            Author(family="Menden", given="Michael P"),
        ],
        journal_abbrev="Nat Commun",
        year=2019,
        volume="10",
        pages="2674",
        doi="10.1038/s41467-019-09799-2",
    )
    assert format_reference(ref, "ama").startswith(
        "AstraZeneca-Sanger Drug Combination DREAM Consortium, Menden MP. A "
    )


def test_book_with_edition():
    """Books: edition, place (Vancouver only), publisher and year."""
    ref = ReferenceData(
        kind="book",
        title="Williams Obstetrics",
        authors=people(("Cunningham", "F Gary"), ("Leveno", "Kenneth J")),
        edition="26",
        publisher="McGraw Hill",
        publisher_place="New York",
        year=2022,
    )
    assert format_reference(ref, "ama") == (
        "Cunningham FG, Leveno KJ. Williams Obstetrics. 26th ed. McGraw Hill; 2022."
    )
    assert format_reference(ref, "vancouver") == (
        "Cunningham FG, Leveno KJ. Williams Obstetrics. 26th ed. New York: "
        "McGraw Hill; 2022."
    )


def test_book_chapter():
    """Chapters name the editors and the pages."""
    ref = ReferenceData(
        kind="chapter",
        title="Early pregnancy loss",
        authors=people(("Smith", "Jane A")),
        editors=people(("Jones", "Peter R")),
        container_title="Gynaecology in Practice",
        publisher="Elsevier",
        publisher_place="London",
        year=2020,
        pages="120-135",
    )
    assert format_reference(ref, "ama") == (
        "Smith JA. Early pregnancy loss. In: Jones PR, ed. Gynaecology in Practice. "
        "Elsevier; 2020:120-135."
    )
    assert format_reference(ref, "vancouver") == (
        "Smith JA. Early pregnancy loss. In: Jones PR, editor. Gynaecology in "
        "Practice. London: Elsevier; 2020. p. 120-35."
    )


def test_web_page_with_accessed_date():
    """Web pages: published and accessed dates, then the URL."""
    ref = ReferenceData(
        kind="web_page",
        title="Miscarriage",
        authors=[Author(literal="NHS")],
        container_title="NHS website",
        publisher="NHS England",
        publisher_place="London",
        year=2022,
        month=3,
        day=3,
        url="https://www.nhs.uk/conditions/miscarriage/",
        accessed=datetime.date(2024, 3, 3),
    )
    assert format_reference(ref, "ama") == (
        "NHS. Miscarriage. NHS website. Published March 3, 2022. Accessed March 3, "
        "2024. https://www.nhs.uk/conditions/miscarriage/"
    )
    assert format_reference(ref, "vancouver") == (
        "NHS. Miscarriage [Internet]. London: NHS England; 2022 [cited 2024 Mar 3]. "
        "Available from: https://www.nhs.uk/conditions/miscarriage/"
    )


def test_guideline_report():
    """Guidelines are cited like reports, with the accessed date and URL."""
    ref = ReferenceData(
        kind="guideline",
        title="Ectopic pregnancy and miscarriage: diagnosis and initial management "
        "(NG126)",
        authors=[Author(literal="National Institute for Health and Care Excellence")],
        publisher="National Institute for Health and Care Excellence",
        publisher_place="London",
        year=2019,
        url="https://www.nice.org.uk/guidance/ng126",
        accessed=datetime.date(2026, 11, 2),
    )
    assert format_reference(ref, "ama") == (
        "National Institute for Health and Care Excellence. Ectopic pregnancy and "
        "miscarriage: diagnosis and initial management (NG126). National Institute "
        "for Health and Care Excellence; 2019. Accessed November 2, 2026. "
        "https://www.nice.org.uk/guidance/ng126"
    )


def test_ama_prefers_doi_over_url(najmabadi):
    """With a DOI, AMA prints no URL or accessed date."""
    najmabadi.url = "https://example.org/paper"
    najmabadi.accessed = datetime.date(2024, 1, 1)
    assert format_reference(najmabadi, "ama") == AMA_NAJMABADI


def test_html_italicizes_journal_and_escapes(najmabadi):
    """The HTML form escapes text and puts the journal in italics."""
    najmabadi.title = "Mucus <b>patterns</b>"
    html = format_reference_html(najmabadi, "ama")
    assert "<i>Hum Reprod.</i>" in html
    assert "&lt;b&gt;" in html


def test_model_instances_format_the_same(db, najmabadi):
    """A saved Reference formats exactly like the imported record."""
    from references.library import apply_import, plan_import

    reference = apply_import(plan_import([najmabadi]))[0]
    assert format_reference(reference, "ama") == AMA_NAJMABADI
    assert json.dumps(reference.authors)  # stored as JSON
