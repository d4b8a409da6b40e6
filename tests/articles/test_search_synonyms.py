"""The synonyms editors keep, the seed list they start from, and the words
search reads from a query."""

import io

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from articles import search_words, synonym_seed
from articles.delivery import vocabulary
from articles.models import Synonym, VocabularyWord
from articles.public import search
from articles.roles import GROUPS
from tests.conftest import create_article, publish
from tests.tasks import run_tasks


def test_every_seed_group_says_where_it_comes_from():
    groups = list(synonym_seed.seed_groups())
    assert len(groups) >= 300
    assert all(g["note"].startswith("Seed list, ") for g in groups)
    assert all("public domain" in g["note"] for g in groups)


def test_the_seed_list_has_the_spellings_and_lay_words_of_the_issue():
    lookups = [g["lookup"] for g in synonym_seed.seed_groups()]
    for pair in [
        ("anaemia", "anemia"),
        ("oestrogen", "estrogen"),
        ("paediatric", "pediatric"),
        ("haemorrhage", "hemorrhage"),
        ("foetus", "fetus"),
        ("caesarean", "cesarean"),
        ("period pain", "dysmenorrhoea"),
    ]:
        assert any(all(f"|{w}|" in lookup for w in pair) for lookup in lookups), pair


def test_loading_the_seed_list_again_changes_nothing(db):
    """Idempotent, and an editor's change to a seed group is kept."""
    group = Synonym.objects.get(term="anaemia")
    group.equivalents = "anemia\nlow haemoglobin"
    group.save()
    count = Synonym.objects.count()
    out = io.StringIO()
    call_command("load_synonyms", stdout=out)
    assert "0 synonym groups added" in out.getvalue()
    assert Synonym.objects.count() == count
    assert Synonym.objects.get(term="anaemia").equivalents == "anemia\nlow haemoglobin"


def test_a_deleted_seed_group_comes_back_when_loaded(db):
    Synonym.objects.filter(term="anaemia").delete()
    call_command("load_synonyms", stdout=io.StringIO())
    assert Synonym.objects.matching(["anemia"]).exists()


def test_saving_normalises_the_group(db):
    group = Synonym.objects.create(
        term="Achy\nlegs", equivalents="Leg ache, leg ache;\n\nLEG CRAMPS"
    )
    assert group.term == "Achy legs"
    assert group.equivalents == "Leg ache\nLEG CRAMPS"
    assert group.lookup == "|achy legs|leg ache|leg cramps|"
    assert VocabularyWord.objects.filter(word="achy").exists()


def test_a_group_needs_a_term_and_an_equivalent(db):
    with pytest.raises(ValidationError):
        Synonym(term="!!!", equivalents="x").full_clean()
    with pytest.raises(ValidationError):
        Synonym(term="womb", equivalents=" , ;").full_clean()


def test_terms_are_unique_whatever_the_case(db):
    with pytest.raises(ValidationError):
        Synonym(term="ANAEMIA", equivalents="x").full_clean()


def test_editors_keep_the_synonyms_in_the_admin(client, editor):
    """Editors list, add and change synonyms; the dashboard's box is theirs."""
    client.force_login(editor)
    url = reverse("admin:articles_synonym_changelist")
    assert client.get(url, {"q": "anaemia"}).status_code == 200
    response = client.post(
        reverse("admin:articles_synonym_add"),
        {"term": "tummy", "equivalents": "abdomen\nbelly", "note": "Readers' word"},
    )
    assert response.status_code == 302
    assert Synonym.objects.matching(["belly"]).get().term == "tummy"
    assert editor.has_perm("articles.view_dailyquery")


def test_writers_cannot_change_synonyms(client, writer):
    client.force_login(writer)
    url = reverse("admin:articles_synonym_changelist")
    assert client.get(url).status_code == 403


def test_every_group_permission_exists(db):
    """ensure_groups skips a permission it cannot find (for early migrations):
    after all of them, every one it names exists."""
    for perms in GROUPS.values():
        for perm in perms:
            app_label, codename = perm.split(".")
            assert Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).exists(), perm


def test_the_vocabulary_is_rebuilt_from_live_pages_and_synonyms(
    writer, reviewer, editor, reference
):
    article = create_article(
        writer,
        slug="x",
        title="Zygote basics",
        summary="Early days.",
        body="[@najmabadi2021]",
    )
    publish(article, writer, reviewer, editor)
    run_tasks(commit_first=True)
    assert VocabularyWord.objects.filter(word="zygote").exists()  # added when live
    VocabularyWord.objects.create(word="stalewordxyz")
    vocabulary.rebuild(apps)
    assert VocabularyWord.objects.get(word="zygote").articles == 1
    assert VocabularyWord.objects.get(word="dysmenorrhoea").articles == 0
    assert not VocabularyWord.objects.filter(word="stalewordxyz").exists()


def test_refresh_search_rebuilds_and_forgets_old_counts(db):
    out = io.StringIO()
    call_command("refresh_search", stdout=out)
    assert "vocabulary words" in out.getvalue()


def test_parse_prefers_the_longest_phrase(db):
    query = search.parse("period pain relief")
    assert query.parts[0][0] == "period pain"
    assert "dysmenorrhoea" in query.parts[0]
    assert query.parts[1] == ("relief",)


def test_hyphens_and_apostrophes_are_read_as_readers_mean_them():
    assert search_words.words("C-section, Crohn’s") == ["c", "section", "crohn's"]


@given(st.text(max_size=300))
def test_normalising_is_stable(text):
    once = search_words.normalise(text)
    assert search_words.normalise(once) == once
    assert "|" not in once


@given(st.text(max_size=50))
def test_phrases_are_runs_of_at_most_four_words(text):
    for phrase in search_words.phrases(search_words.words(text)):
        assert 1 <= len(phrase.split()) <= search_words.LONGEST_PHRASE


@pytest.mark.parametrize(
    "query, personal",
    [
        ("a@b.co", True),
        ("call 0207 946 0958", True),
        ("1234567", True),
        ("12 weeks", False),
        ("400mg folic acid", False),
        ("covid-19 2021", False),
    ],
)
def test_looks_personal(query, personal):
    assert search_words.looks_personal(query) is personal


@pytest.mark.parametrize(
    ("equivalents", "message"),
    [
        ("x" * 100_000, "at most 100 characters"),
        ("\n".join(f"word{n}" for n in range(31)), "at most 30 equivalents"),
    ],
)
def test_an_oversized_group_is_refused_and_kept(client, editor, equivalents, message):
    """Every form is searched whenever one is, so a group stays small; the
    refused text comes back in the form."""
    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_synonym_add"),
        {"term": "tummy", "equivalents": equivalents, "note": ""},
    )
    assert response.status_code == 200
    assert message in response.text
    assert equivalents[:1000] in response.text
    assert not Synonym.objects.filter(term="tummy").exists()
