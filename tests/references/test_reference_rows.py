"""Authors, editors and publication types as rows: the server side of it."""

import html
import json
import re

import pytest

from references.admin.rows import NameListField, TextListField
from references.models import Reference

ADD_URL = "/admin/references/reference/add/"


def post_data(**fields):
    data = {
        "kind": "journal_article",
        "title": "Progesterone in recurrent miscarriage",
        "authors": "[]",
        "editors": "[]",
        "publication_types": "[]",
        "retraction_status": "",
    }
    data.update(fields)
    return data


def test_the_change_form_has_the_row_editor(client, editor):
    """The widget wraps the JSON field and loads the ES module."""
    client.force_login(editor)
    html = client.get(ADD_URL).text
    assert 'class="row-editor"' in html
    assert re.search(r'<script src="[^"]*row-editor[.\w]*\.js"[^>]*type="module"', html)


def test_rows_save_in_order(client, editor):
    client.force_login(editor)
    authors = [
        {"family": "Coomarasamy", "given": "Arri"},
        {"literal": "PROMISE Trial Group"},
        {"family": "Smith", "given": "John", "suffix": "Jr"},
    ]
    response = client.post(ADD_URL, post_data(authors=json.dumps(authors), year=2015))
    assert response.status_code == 302
    assert Reference.objects.get().authors == authors


def test_a_refused_save_keeps_the_rows_as_typed(client, editor):
    """A row with a person's and a group's name is refused, and kept."""
    client.force_login(editor)
    authors = [
        {"family": "Coomarasamy", "given": "Arri"},
        {"family": "X", "literal": "G"},
    ]
    response = client.post(ADD_URL, post_data(authors=json.dumps(authors)))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["authors"] == [
        "Author 2 has both a person's name and a group name; keep one of them."
    ]
    assert json.loads(form["authors"].value()) == authors
    assert not Reference.objects.exists()


def test_invalid_json_is_refused_and_kept(client, editor):
    client.force_login(editor)
    response = client.post(ADD_URL, post_data(authors='[{"family": "Oops"'))
    form = response.context["adminform"].form
    assert "authors" in form.errors
    assert html.escape('[{"family": "Oops"') in response.text


@pytest.mark.parametrize(
    "value, message",
    [
        ('{"family": "A"}', "Enter a list of names"),
        ('[{"given": "Arri"}]', "Author 1 needs a family name"),
        ('[{"family": "A", "orcid": "0000"}]', "unknown key"),
        (json.dumps([{"family": "A" * 501}]), "longer than 500"),
    ],
)
def test_name_rows_are_checked_with_clear_messages(value, message):
    field = NameListField()
    with pytest.raises(Exception, match=message):
        field.clean(value)


def test_an_empty_list_of_names_is_an_empty_list():
    assert NameListField(required=False).clean("") == []


def test_publication_types_are_a_list_of_text():
    field = TextListField(required=False)
    assert field.clean('["Review", "Meta-Analysis"]') == ["Review", "Meta-Analysis"]
    with pytest.raises(Exception, match="list of text"):
        field.clean("[1, 2]")
