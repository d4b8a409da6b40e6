"""Looking references up by identifier, against recorded answers on 127.0.0.1."""

import pytest

from references.identifiers import IdentifierError
from references.lookup import NotFound, ServiceError, identify, look_up
from references.lookup.pubmed import full_page_range
from tests.references.replay import Answer

CROSSREF_NAJMABADI = "/crossref/works/10.1093/humrep/deab049"
CROSSREF_PLOS = "/crossref/works/10.1371/journal.pone.0033693"
NAJMABADI_TITLE = (
    "Cervical mucus patterns and the fertile window in women without known "
    "subfertility: a pooled analysis of three cohorts"
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("https://doi.org/10.1093/humrep/deab049", ("doi", "10.1093/humrep/deab049")),
        ("doi:10.1093/humrep/deab049", ("doi", "10.1093/humrep/deab049")),
        (" http://dx.doi.org/10.1056/NEJMoa1504927 ", ("doi", "10.1056/NEJMoa1504927")),
        ("PMID: 33990841", ("pmid", "33990841")),
        ("https://pubmed.ncbi.nlm.nih.gov/33990841/", ("pmid", "33990841")),
        ("pmc8487651", ("pmcid", "PMC8487651")),
        ("https://pmc.ncbi.nlm.nih.gov/articles/PMC8487651/", ("pmcid", "PMC8487651")),
        ("978-0-19-024655-6", ("isbn", "9780190246556")),
        ("ISBN 0-19-024655-3", ("isbn", "0190246553")),
    ],
)
def test_identify_recognises_and_normalises_each_kind(text, expected):
    """DOI links, PMID: prefixes, PMC prefixes and hyphenated ISBNs are recognised."""
    assert identify(text) == expected


def test_identify_names_a_wrong_isbn_check_digit():
    """An ISBN with a typing error says so rather than "not an identifier"."""
    with pytest.raises(IdentifierError, match="check digit"):
        identify("978-0-19-024655-7")


def test_identify_says_what_it_expects():
    with pytest.raises(IdentifierError, match="is not a DOI"):
        identify("cervical mucus")


@pytest.mark.django_db
def test_doi_from_crossref(replay):
    """A DOI is read from Crossref, with the journal's NLM abbreviation."""
    record = look_up("doi", "10.1093/humrep/deab049")
    assert record.title == NAJMABADI_TITLE
    assert [a.family for a in record.authors][:2] == ["Najmabadi", "Schliep"]
    assert (record.year, record.volume, record.issue) == (2021, "36", "7")
    assert record.pages == "1784-1795"
    assert record.journal_abbrev == "Hum Reprod"
    assert replay.hits("/doi/") == 0


@pytest.mark.django_db
def test_crossref_title_case_becomes_sentence_case(replay):
    """PLoS's Title Case title is printed in sentence case, as AMA wants."""
    record = look_up("doi", "10.1371/journal.pone.0033693")
    assert record.title == (
        "Methylphenidate exposure induces dopamine neuron loss and activation "
        "of microglia in the basal ganglia of mice"
    )
    assert record.journal_abbrev == "PLoS One"
    assert record.pages == "e33693"
    assert (record.year, record.month, record.day) == (2012, 3, 21)
    assert record.editors[0].family == "Borlongan"


@pytest.mark.django_db
def test_doi_falls_back_to_content_negotiation(replay):
    """A DOI Crossref does not know is asked of doi.org for CSL-JSON."""
    replay.script(CROSSREF_NAJMABADI, Answer(404, b"Resource not found."))
    record = look_up("doi", "10.1093/humrep/deab049")
    assert record.title == NAJMABADI_TITLE
    accept = replay.requests[-1].headers["Accept"]
    assert accept == "application/vnd.citationstyles.csl+json"


@pytest.mark.django_db
def test_pmid_from_pubmed_efetch(replay):
    """A PMID is read from efetch: authors, DOI, PMCID and publication types."""
    record = look_up("pmid", "33990841")
    assert record.title == NAJMABADI_TITLE
    assert record.authors[1].given == "Karen C"
    assert record.doi == "10.1093/humrep/deab049"
    assert record.pmcid == "PMC8487651"
    assert record.journal_abbrev == "Hum Reprod"
    assert record.publication_types == ["Journal Article"]
    seen = replay.requests[-1]
    assert seen.query["tool"] == ["reviewed-health"]
    assert seen.query["email"] == ["lookups@example.org"]


@pytest.mark.django_db
def test_pmcid_goes_through_the_id_converter(replay):
    """A PMCID becomes a PMID through the PMC ID Converter, then efetch."""
    record = look_up("pmcid", "PMC8487651")
    assert record.pmid == "33990841"
    assert record.pmcid == "PMC8487651"
    assert [seen.path for seen in replay.requests] == [
        "/idconv/",
        "/eutils/efetch.fcgi",
    ]


@pytest.mark.django_db
def test_isbn_from_open_library(replay):
    """An ISBN is read from Open Library's Books API, as a book."""
    record = look_up("isbn", "9780190246556")
    assert record.kind == "book"
    assert record.title == "AMA Manual of Style: A Guide for Authors and Editors"
    assert record.authors[0].literal == "JAMA Network Editors"
    assert (record.publisher, record.year) == ("Oxford University Press", 2020)


@pytest.mark.django_db
def test_a_503_is_retried(replay):
    """A 503 is retried, and the second answer is used."""
    replay.script(CROSSREF_PLOS, Answer(503, b"Service Unavailable"))
    record = look_up("doi", "10.1371/journal.pone.0033693")
    assert record.volume == "7"
    assert replay.hits(CROSSREF_PLOS) == 2


@pytest.mark.django_db
def test_a_429_is_retried_after_the_time_asked(replay):
    replay.script(CROSSREF_PLOS, Answer(429, b"", headers={"Retry-After": "0"}))
    assert look_up("doi", "10.1371/journal.pone.0033693").volume == "7"
    assert replay.hits(CROSSREF_PLOS) == 2


@pytest.mark.django_db
def test_repeated_server_errors_give_up_with_a_message(replay):
    replay.script(CROSSREF_PLOS, *[Answer(502, b"Bad Gateway")] * 3)
    with pytest.raises(ServiceError, match=r"Crossref answered with an error \(502\)"):
        look_up("doi", "10.1371/journal.pone.0033693")
    assert replay.hits(CROSSREF_PLOS) == 3


@pytest.mark.django_db
def test_a_timeout_gives_a_clear_message(replay, settings):
    settings.HEALTH_LOOKUP = {**settings.HEALTH_LOOKUP, "TIMEOUT": 0.2, "RETRIES": 0}
    replay.script(CROSSREF_PLOS, Answer(200, b"{}", "application/json", delay=1.0))
    with pytest.raises(ServiceError, match="did not answer in time"):
        look_up("doi", "10.1371/journal.pone.0033693")


@pytest.mark.django_db
def test_an_unknown_doi_is_not_found(replay):
    """Crossref's 404 and doi.org's 404: the DOI is not registered."""
    with pytest.raises(NotFound, match="Neither Crossref nor doi.org"):
        look_up("doi", "10.5555/no-such-doi")


@pytest.mark.django_db
def test_malformed_json_is_a_service_error(replay):
    replay.script(
        CROSSREF_PLOS, Answer(200, b'{"status": "ok", "mess', "application/json")
    )
    with pytest.raises(ServiceError, match="not valid JSON"):
        look_up("doi", "10.1371/journal.pone.0033693")


@pytest.mark.django_db
def test_a_second_lookup_is_answered_from_the_cache(replay):
    """The same identifier twice asks the service once."""
    first = look_up("doi", "10.1371/journal.pone.0033693")
    second = look_up("doi", "10.1371/journal.pone.0033693")
    assert first == second
    assert replay.hits() == 1


@pytest.mark.django_db
def test_requests_name_the_site_and_a_contact(replay):
    """The polite pool: a User-Agent with a mailto, and mailto= for Crossref."""
    look_up("doi", "10.1371/journal.pone.0033693")
    seen = replay.requests[0]
    assert "mailto:lookups@example.org" in seen.headers["User-Agent"]
    assert seen.query["mailto"] == ["lookups@example.org"]


@pytest.mark.django_db
def test_an_offline_service_is_a_service_error(settings, replay):
    """Nothing listening (no network): a message, not a crash."""
    replay.close()
    with pytest.raises(ServiceError, match="could not be reached"):
        look_up("pmid", "33990841")


def test_medline_page_ranges_are_written_in_full():
    assert full_page_range("1784-95") == "1784-1795"
    assert full_page_range("e33693") == "e33693"
