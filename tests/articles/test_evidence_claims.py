"""The sentences of a rendered revision that cite a given reference."""

from articles.claims import cited_numbers, citing_sentences, sentences_by_number


def cite(*numbers: int) -> str:
    links = ", ".join(f'<a href="#ref-{n}">{n}</a>' for n in numbers)
    return f'<sup class="citation">[{links}]</sup>'


def test_each_sentence_goes_to_the_references_it_cites():
    """Two sentences in a paragraph, each with its own citation."""
    html = f"<p>First claim.{cite(1)} Second claim.{cite(2)}</p>"
    assert sentences_by_number(html) == {1: ["First claim."], 2: ["Second claim."]}


def test_a_citation_before_the_full_stop_stays_with_its_sentence():
    """ "Claim [@x]." reads "Claim." without the marker's space."""
    html = f"<p>Mucus changes {cite(3)}. Unrelated.</p>"
    assert citing_sentences(html, 3) == ["Mucus changes."]


def test_ranges_name_every_reference_in_them():
    """[2–4] cites 3 as well, though only 2 and 4 are links."""
    assert cited_numbers("[2–4, 7]") == [2, 3, 4, 7]
    run = '[<a href="#ref-2">2</a>–<a href="#ref-4">4</a>]'
    html = f'<p>Many studies.<sup class="citation">{run}</sup></p>'
    assert citing_sentences(html, 3) == ["Many studies."]


def test_list_items_and_table_cells_are_sentences_of_their_own():
    """A list item without a full stop is still a claim."""
    html = f"<ul><li>Dose A{cite(1)}</li><li>Dose B</li></ul>"
    assert citing_sentences(html, 1) == ["Dose A"]


def test_abbreviations_do_not_split_a_sentence():
    """ "e.g. large cohorts" stays one sentence."""
    html = f"<p>Later studies (e.g. large cohorts) found none.{cite(1)}</p>"
    assert citing_sentences(html, 1) == [
        "Later studies (e.g. large cohorts) found none."
    ]


def test_no_citation_no_sentence():
    """A reference cited nowhere in the text has no sentences."""
    assert citing_sentences("<p>Nothing cited.</p>", 1) == []
