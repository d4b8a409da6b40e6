"""Adding a reference by identifier in the admin: look up, confirm, save."""

import json

import pytest
from django.contrib.messages import get_messages

from references.models import Reference
from tests.references.replay import Answer

LOOKUP_URL = "/admin/references/reference/lookup/"
ADD_URL = "/admin/references/reference/add/"
PLOS_DOI = "10.1371/journal.pone.0033693"


@pytest.mark.parametrize(
    "role, status", [("writer", 200), ("editor", 200), ("reviewer", 403)]
)
def test_only_people_who_may_add_references_can_look_up(
    request, client, replay, role, status
):
    client.force_login(request.getfixturevalue(role))
    assert client.get(LOOKUP_URL).status_code == status
    response = client.post(LOOKUP_URL, {"identifier": PLOS_DOI})
    assert response.status_code == (302 if status == 200 else 403)


def test_the_reference_list_links_to_the_lookup(client, editor):
    client.force_login(editor)
    response = client.get("/admin/references/reference/")
    assert LOOKUP_URL.encode() in response.content


def test_a_found_doi_opens_the_add_form_filled_in(client, editor, replay):
    """The add form shows the record; nothing is saved until the user saves."""
    client.force_login(editor)
    response = client.post(LOOKUP_URL, {"identifier": f"https://doi.org/{PLOS_DOI}"})
    assert response.status_code == 302
    assert response["Location"].startswith(ADD_URL + "?lookup=doi")
    form = client.get(response["Location"]).context["adminform"].form
    assert form.initial["title"].startswith("Methylphenidate exposure induces")
    assert form.initial["authors"][0] == {"family": "Sadasivan", "given": "Shankar"}
    assert form.initial["doi"] == PLOS_DOI
    assert not Reference.objects.exists()
    assert replay.hits() == 1  # the add form read the cached answer


def test_saving_the_filled_in_form_creates_the_reference(client, editor, replay):
    client.force_login(editor)
    location = client.post(LOOKUP_URL, {"identifier": PLOS_DOI})["Location"]
    form = client.get(location).context["adminform"].form
    data = {
        name: (json.dumps(value) if isinstance(value, list) else value)
        for name, value in form.initial.items()
    }
    data.update(retraction_status="")
    response = client.post(location, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    reference = Reference.objects.get(doi=PLOS_DOI)
    assert reference.citation_key == "sadasivan2012"
    assert len(reference.authors) == 6


def test_an_existing_doi_links_to_the_reference(client, editor, reference, replay):
    """A duplicate is refused before any request, with a link to the original."""
    client.force_login(editor)
    response = client.post(LOOKUP_URL, {"identifier": "doi:10.1093/HUMREP/deab049"})
    assert response.status_code == 200
    assert f"/admin/references/reference/{reference.pk}/change/" in response.text
    assert replay.hits() == 0


def test_a_pmid_whose_doi_exists_is_a_duplicate(client, editor, reference, replay):
    reference.pmid = ""
    reference.save()
    client.force_login(editor)
    response = client.post(LOOKUP_URL, {"identifier": "PMID: 33990841"})
    assert "already in the library" in response.text
    assert not Reference.objects.filter(pmid="33990841").exists()


def test_an_unrecognised_identifier_keeps_what_was_typed(client, editor, replay):
    client.force_login(editor)
    response = client.post(LOOKUP_URL, {"identifier": "not an id at all"})
    assert response.status_code == 200
    assert "is not a DOI" in response.text
    assert 'value="not an id at all"' in response.text
    assert replay.hits() == 0


def test_an_unknown_doi_offers_the_manual_form(client, editor, replay):
    client.force_login(editor)
    response = client.post(LOOKUP_URL, {"identifier": "10.5555/unknown"})
    assert "Neither Crossref nor doi.org knows this DOI" in response.text
    assert f"{ADD_URL}?doi=10.5555%2Funknown" in response.text


def test_offline_opens_the_manual_form_with_the_identifier(client, editor, replay):
    """Service down: a message, and the add form with the DOI filled in."""
    replay.script(f"/crossref/works/{PLOS_DOI}", *[Answer(503, b"down")] * 3)
    client.force_login(editor)
    response = client.post(LOOKUP_URL, {"identifier": PLOS_DOI}, follow=True)
    assert response.context["adminform"].form.initial["doi"] == PLOS_DOI
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("could not be looked up" in m for m in messages)


def test_the_lookup_form_needs_csrf(editor, replay):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert client.post(LOOKUP_URL, {"identifier": PLOS_DOI}).status_code == 403


def test_an_overlong_identifier_is_refused(client, editor, replay):
    client.force_login(editor)
    response = client.post(LOOKUP_URL, {"identifier": "1" * 5000})
    assert response.status_code == 200
    assert replay.hits() == 0
