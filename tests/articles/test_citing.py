"""The citation picker's search endpoint, and unknown citations in the preview."""

import pytest
from django.contrib.auth.models import User

from articles.rendering import render, render_preview
from references.models import Reference

SEARCH = "/admin/cite/references/"
MARKDOWNIFY = "/admin/markdownx/markdownify/"


def keys(response) -> list[str]:
    assert response.status_code == 200
    return [result["key"] for result in response.json()["results"]]


@pytest.fixture
def library(reference):
    """Najmabadi 2021 and two more, one of them retracted."""
    Reference.objects.create(
        citation_key="coomarasamy2015",
        title="A randomized trial of progesterone in women with recurrent miscarriages",
        authors=[{"family": "Coomarasamy", "given": "Arri"}],
        year=2015,
        doi="10.1056/NEJMoa1504927",
    )
    Reference.objects.create(
        citation_key="who2022",
        title="Recommendations on maternal and newborn care",
        authors=[{"literal": "World Health Organization"}],
        year=2022,
        retraction_status=Reference.Retraction.RETRACTED,
    )


def test_anonymous_visitors_are_sent_to_log_in(client, library):
    """No session: the admin's login page, never a result."""
    response = client.get(SEARCH, {"q": "naj"})
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_without_a_role_are_refused(client, library):
    """Staff who may not see the library get 403."""
    client.force_login(User.objects.create_user("clerk", is_staff=True))
    assert client.get(SEARCH, {"q": "naj"}).status_code == 403


@pytest.mark.parametrize("role", ["writer", "reviewer", "editor"])
def test_writers_reviewers_and_editors_may_search(client, library, role, request):
    """Every editorial role can cite."""
    client.force_login(request.getfixturevalue(role))
    assert keys(client.get(SEARCH, {"q": "naj"})) == ["najmabadi2021"]


def test_a_result_carries_key_author_year_title_and_doi(client, writer, library):
    """What the picker shows for each reference."""
    client.force_login(writer)
    [result] = client.get(SEARCH, {"q": "najmabadi2021"}).json()["results"]
    assert result == {
        "key": "najmabadi2021",
        "author": "Najmabadi S et al",
        "year": 2021,
        "title": Reference.objects.get(citation_key="najmabadi2021").title,
        "doi": "10.1093/humrep/deab049",
        "retracted": False,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("COOMARASAMY", ["coomarasamy2015"]),  # first author, any case
        ("world health", ["who2022"]),  # a group author
        ("2015", ["coomarasamy2015"]),  # the year
        ("progesterone", ["coomarasamy2015"]),  # a title word
        ("doi:10.1056/nejmoa", ["coomarasamy2015"]),  # the DOI, any case
        ("@naj", ["najmabadi2021"]),  # as typed after [@
        ("mucus 2021", ["najmabadi2021"]),  # every word must match
        ("mucus 2015", []),
    ],
)
def test_search_matches_each_field(client, writer, library, query, expected):
    """Key, first author, year, title and DOI, case-insensitively."""
    client.force_login(writer)
    assert keys(client.get(SEARCH, {"q": query})) == expected


def test_later_authors_do_not_match(client, writer, library):
    """Only the first author is searched, as a reference is known by."""
    client.force_login(writer)
    assert keys(client.get(SEARCH, {"q": "Schliep"})) == []


def test_keys_starting_with_the_query_come_first(client, writer, library):
    """`coomarasamy` finds the key before a title that merely contains it."""
    Reference.objects.create(
        citation_key="aardvark2024", title="After Coomarasamy et al", year=2024
    )
    client.force_login(writer)
    assert keys(client.get(SEARCH, {"q": "coomarasamy"})) == [
        "coomarasamy2015",
        "aardvark2024",
    ]


def test_retracted_references_are_flagged(client, writer, library):
    """Citing one would block submission, so the picker says so."""
    client.force_login(writer)
    [result] = client.get(SEARCH, {"q": "who2022"}).json()["results"]
    assert result["retracted"] is True


def test_at_most_ten_results(client, writer, db):
    """However many match."""
    for n in range(15):
        Reference.objects.create(citation_key=f"smith20{n:02}", title="T", year=2020)
    client.force_login(writer)
    assert len(keys(client.get(SEARCH, {"q": "smith"}))) == 10


def test_an_empty_query_lists_the_newest_references(client, writer, library):
    """`[@` alone shows what was added last."""
    client.force_login(writer)
    assert keys(client.get(SEARCH))[0] == "who2022"


def test_an_overlong_query_is_refused_with_a_message(client, writer, library):
    """Bounded input: 100 characters."""
    client.force_login(writer)
    response = client.get(SEARCH, {"q": "x" * 101})
    assert response.status_code == 400
    assert "100 characters" in response.json()["error"]


def test_only_get_is_answered(client, writer, library):
    """The search changes nothing."""
    client.force_login(writer)
    assert client.post(SEARCH, {"q": "naj"}).status_code == 405


def test_the_add_link_is_offered_to_those_who_may_add(client, writer, reviewer, db):
    """Writers may add references; reviewers may not."""
    client.force_login(writer)
    assert client.get(SEARCH).json()["add_url"] == "/admin/references/reference/add/"
    client.force_login(reviewer)
    assert client.get(SEARCH).json()["add_url"] == ""


@pytest.mark.django_db
def test_the_preview_names_an_unknown_key(reference):
    """Underlined, with the reason, instead of a bare [?]."""
    html = render_preview("Claim [@smith2020].")
    assert '<u class="citation-unknown">[@smith2020]</u>' in html
    assert "No reference with the key “smith2020” in the library" in html
    assert "[?]" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("citation", "reason"),
    [
        ("[@doi:10.1/x]", "malformed DOI “10.1/x”"),
        ("[@doi:10.1234/none]", "No reference with the DOI 10.1234/none"),
        ("[@pmid:0123]", "malformed PMID “0123”"),
        ("[@pmid:99999999]", "No reference with the PMID 99999999"),
        ("[@smith.2020]", "malformed key “smith.2020”"),
    ],
)
def test_the_preview_says_why_a_citation_matches_nothing(citation, reason):
    """Malformed identifiers are told apart from ones missing in the library."""
    assert reason in render_preview(f"Claim {citation}.")


@pytest.mark.django_db
def test_only_the_unknown_keys_of_a_group_are_explained(reference):
    """`[@najmabadi2021; @nope]` names `nope` alone."""
    html = render_preview("Claim [@najmabadi2021; @nope].")
    assert "[@najmabadi2021; @nope]" in html
    assert "“nope”" in html
    assert "“najmabadi2021”" not in html


@pytest.mark.django_db
def test_readers_pages_keep_the_plain_marker():
    """The stored revision HTML is unchanged: no reasons, no underline."""
    html = render("Claim [@smith2020].").html
    assert "citation-missing" in html
    assert "citation-unknown" not in html


@pytest.mark.django_db
def test_an_unknown_key_is_escaped_in_the_preview():
    """A key full of markup is shown as text, never as a tag."""
    html = render_preview("Claim [@x<img src=x onerror=alert(1)>].")
    assert "<img" not in html
    assert "[@x&lt;img src=x onerror=alert(1)&gt;]</u>" in html
    assert "malformed key “x&lt;img”" in html


def test_the_editor_preview_view_explains_unknown_keys(client, writer, reference):
    """Through markdownx's preview URL, as the editor calls it."""
    client.force_login(writer)
    response = client.post(MARKDOWNIFY, {"content": "Claim [@smith2020]."})
    assert "No reference with the key “smith2020” in the library" in (
        response.content.decode()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["najmabadi2020", "Najmabadi2021"])
def test_the_preview_suggests_a_key_the_writer_may_have_meant(reference, typed):
    """A wrong year or the wrong case: the library's key is offered."""
    html = render_preview(f"Claim [@{typed}].")
    assert "did you mean “najmabadi2021”?" in html


@pytest.mark.django_db
def test_no_suggestion_without_a_similar_key(reference):
    """Nothing close, nothing offered."""
    assert "did you mean" not in render_preview("Claim [@smith2020].")
