"""Reference rules on the model: the form, save() and the database refuse bad rows."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from references.formatting import format_reference, format_reference_html
from references.models import Reference
from references.records import Author, make_citation_key, people

ADD_URL = "/admin/references/reference/add/"
BAD_AUTHORS = [
    ["Smith"],
    {"family": "Smith"},
    [1, None],
    "Smith",
    [{"given": "Jane"}],
    [{"family": "  "}],
    [{"family": "Smith", "initials": "J"}],
    [{"family": "Smith", "given": 5}],
    [{"literal": ["WHO"]}],
]


def errors_of(reference: Reference) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        reference.full_clean()
    return error.value.message_dict


@pytest.mark.parametrize("authors", BAD_AUTHORS)
def test_malformed_authors_are_a_field_error(db, authors):
    """Authors must be a list of name objects with a family or literal name."""
    assert "authors" in errors_of(Reference(title="T", authors=authors))


@pytest.mark.parametrize("authors", BAD_AUTHORS)
def test_save_refuses_malformed_authors(db, authors):
    """The shell cannot store what the form refuses: save() validates too."""
    with pytest.raises(ValidationError, match="authors"):
        Reference(title="T", authors=authors).save()
    assert not Reference.objects.exists()


def test_malformed_editors_are_a_field_error(db):
    """Editors follow the same rules as authors."""
    errors = errors_of(Reference(title="T", editors=[{"family": "Jones"}, "Smith"]))
    assert errors["editors"] == [
        'Editor 2 must be an object with a family or literal name, not "Smith".'
    ]


@pytest.mark.parametrize(
    "authors",
    [
        [],
        [{"family": "Najmabadi", "given": "Shahpar"}],
        [{"family": "King", "given": "Martin Luther", "suffix": "Jr"}],
        [{"literal": "World Health Organization"}],
    ],
)
def test_well_formed_authors_are_accepted(db, authors):
    """People, people with a suffix and group names are all valid."""
    Reference(title="T", authors=authors).full_clean()


@pytest.mark.parametrize("types", ["Review", [1], [None], {"a": "b"}])
def test_publication_types_must_be_a_list_of_text(db, types):
    """Publication types are a list of strings."""
    errors = errors_of(Reference(title="T", publication_types=types))
    assert "publication_types" in errors


@pytest.mark.parametrize(
    "fields,field,message",
    [
        ({"year": 32767}, "year", "between 1400 and"),
        ({"year": 1200}, "year", "between 1400 and"),
        ({"year": 2024, "month": 13}, "month", "between 1 and 12"),
        ({"month": 3}, "month", "A month needs a year"),
        ({"year": 2024, "day": 3}, "day", "A day needs a month"),
        ({"year": 2024, "month": 2, "day": 31}, "day", "February 2024 has only 29"),
        ({"year": 2023, "month": 2, "day": 29}, "day", "February 2023 has only 28"),
        ({"year": 2024, "month": 4, "day": 31}, "day", "April 2024 has only 30"),
    ],
)
def test_impossible_dates_are_field_errors(db, fields, field, message):
    """Year, month and day must make a real (partial) date."""
    errors = errors_of(Reference(title="T", kind="web_page", **fields))
    assert message in " ".join(errors[field])


def test_leap_day_is_accepted(db):
    """29 February exists in a leap year."""
    Reference(title="T", year=2024, month=2, day=29).full_clean()


def test_next_year_is_the_latest_year(db):
    """Journals date issues ahead, but by a year at most."""
    with time_machine.travel(datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)):
        Reference(title="T", year=2027).full_clean()
        assert "year" in errors_of(Reference(title="T", year=2028))


def test_accessed_date_cannot_be_in_the_future(db):
    """A page cannot have been read next week."""
    with time_machine.travel(datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)):
        accessed = datetime.date(2026, 6, 8)
        errors = errors_of(Reference(title="T", accessed=accessed))
    assert errors["accessed"] == ["The accessed date cannot be in the future."]


@pytest.mark.parametrize("field", ["title", "container_title", "volume"])
def test_nul_characters_are_refused(db, field):
    """NUL cannot be stored in PostgreSQL text, so it is a field error."""
    fields = {"title": "T", field: "bad\x00value"}
    assert field in errors_of(Reference(**fields))


def test_nul_in_an_author_name_is_refused(db):
    """PostgreSQL JSON cannot hold NUL either."""
    errors = errors_of(Reference(title="T", authors=[{"family": "Sm\x00ith"}]))
    assert "NUL" in errors["authors"][0]


def test_too_long_field_is_refused_on_save(db):
    """save() checks lengths too, so SQLite does not keep what PostgreSQL refuses."""
    with pytest.raises(ValidationError) as error:
        Reference(title="T", volume="1" * 51).save()
    assert "volume" in error.value.message_dict


def test_save_with_update_fields_checks_only_those_fields(db, reference):
    """A partial save validates the fields it writes."""
    Reference.objects.filter(pk=reference.pk).update(authors=["legacy"])
    reference.refresh_from_db()
    reference.retraction_reason = "Data fabricated."
    reference.save(update_fields=["retraction_reason"])
    with pytest.raises(ValidationError, match="authors"):
        reference.save()


def test_generated_key_fits_its_field_for_very_long_names(db):
    """A 200-letter family name still gives a key the field can hold."""
    reference = Reference.objects.create(
        title="T", year=2020, authors=[{"family": "A" * 200}]
    )
    assert len(reference.citation_key) <= 80


# The admin form -----------------------------------------------------------------------


def form_data(**fields) -> dict:
    data = {
        "kind": "journal_article",
        "title": "A paper",
        "authors": '[{"family": "Smith", "given": "J"}]',
        "editors": "[]",
        "publication_types": "[]",
        "retraction_status": "",
    }
    data.update(fields)
    return data


@pytest.mark.parametrize(
    "fields,field",
    [
        ({"authors": '["Smith"]'}, "authors"),
        ({"authors": '{"family": "Smith"}'}, "authors"),
        ({"authors": "[1, null]"}, "authors"),
        ({"kind": "web_page", "year": "2024", "month": "2", "day": "31"}, "day"),
        ({"year": "32767"}, "year"),
        ({"url": "javascript:alert(1)"}, "url"),
    ],
)
def test_admin_form_shows_the_error_on_its_field(client, editor, fields, field):
    """The add form answers 200 with the message beside the field, not a 500."""
    client.force_login(editor)
    response = client.post(ADD_URL, form_data(**fields))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not Reference.objects.exists()


def test_admin_form_saves_a_valid_reference(client, editor):
    """A valid reference still saves."""
    client.force_login(editor)
    response = client.post(ADD_URL, form_data(year="2024", month="2", day="29"))
    assert response.status_code == 302
    assert Reference.objects.get().day == 29


# Database constraints -----------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"year": 32767},
        {"year": 1000},
        {"month": 13},
        {"day": 32},
        {"year": None, "month": None, "day": 1},
        {"year": None, "month": 5, "day": None},
        {"url": "javascript:alert(1)"},
        {"url": " https://example.org/"},
    ],
)
def test_database_refuses_what_bypasses_the_model(reference, fields):
    """An update() that skips save() still cannot store an out-of-range value."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Reference.objects.filter(pk=reference.pk).update(**fields)


def test_database_accepts_an_uppercase_http_scheme(reference):
    """The URL constraint is case-insensitive, like schemes are."""
    Reference.objects.filter(pk=reference.pk).update(url="HTTPS://EXAMPLE.ORG/")


# Legacy rows --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authors", [["Smith"], {"family": "Smith"}, [1, None], "WHO", 5, True, [[]]]
)
def test_formatting_survives_malformed_legacy_authors(reference, authors):
    """Rows stored before validation format instead of raising."""
    Reference.objects.filter(pk=reference.pk).update(authors=authors, editors=authors)
    reference.refresh_from_db()
    reference.kind = "chapter"
    for style in ("ama", "vancouver"):
        assert "Cervical mucus patterns" in format_reference(reference, style)
        assert format_reference_html(reference, style)
    assert make_citation_key(reference.authors, 2021, "T", lambda key: False)


def test_legacy_string_author_prints_as_a_group_name(reference):
    """A bare string is read as a group (literal) name."""
    Reference.objects.filter(pk=reference.pk).update(authors=["Smith J", 1, None])
    reference.refresh_from_db()
    assert format_reference(reference).startswith("Smith J, 1. Cervical mucus")


def test_impossible_legacy_date_prints_the_year(reference):
    """A web page dated 31 February prints its year, not a 500."""
    Reference.objects.filter(pk=reference.pk).update(
        kind="web_page", doi="", year=2024, month=2, day=31
    )
    reference.refresh_from_db()
    assert "Published 2024." in format_reference(reference, "ama")
    assert "2024" in format_reference(reference, "vancouver")


def test_vancouver_drops_an_impossible_day(reference):
    """Vancouver prints year and month when the day cannot exist."""
    Reference.objects.filter(pk=reference.pk).update(year=2023, month=2, day=30)
    reference.refresh_from_db()
    assert "Hum Reprod. 2023 Feb;36(7)" in format_reference(reference, "vancouver")


def test_non_numeric_edition_with_digit_characters_prints(db):
    """An edition like "²" (a digit to isdigit(), not to int()) does not crash."""
    reference = Reference(title="Book", kind="book", edition="²", year=2020)
    assert "². " in format_reference(reference)


@pytest.mark.parametrize(
    "data,expected",
    [
        ({"family": "Smith", "given": "Jane"}, Author(family="Smith", given="Jane")),
        ("Smith", Author(literal="Smith")),
        (7, Author(literal="7")),
        (None, Author()),
        ({"family": 5, "given": None}, Author(family="5")),
    ],
)
def test_author_from_dict_degrades_gracefully(data, expected):
    """Author.from_dict never raises on stored JSON."""
    assert Author.from_dict(data) == expected


def test_people_skips_unusable_names():
    """Empty and null names are skipped; a lone object counts as one name."""
    assert people([None, {}, {"family": "A"}]) == [Author(family="A")]
    assert people({"literal": "WHO"}) == [Author(literal="WHO")]
    assert people(5) == []
