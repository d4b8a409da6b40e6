import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from articles.models import Article
from articles.workflow import WorkflowError
from references.models import Reference
from references.records import make_citation_key
from tests.conftest import create_article

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MEDLINE = FIXTURES / "pubmed-medline-10-records.txt"


# Reference edits and the content hash -------------------------------------------------


def test_editing_a_cited_reference_changes_the_hash_and_voids_approval(
    approved_article, reference, editor
):
    """A reference edit gives the article a new hash; it needs review again."""
    old_hash = approved_article.current_revision.content_hash
    reference.title = "A corrected title"
    reference.changed_by = editor
    reference.save()
    approved_article.refresh_from_db()
    assert approved_article.current_revision.content_hash != old_hash
    assert approved_article.status == Article.Status.DRAFT
    assert approved_article.current_revision.created_by == editor
    with pytest.raises(WorkflowError, match="Only an approved revision"):
        approved_article.publish(by=editor)


def test_reference_edit_never_changes_the_live_page(client, live_article, reference):
    """The live revision keeps its frozen formatted reference."""
    reference.title = "Changed after publication"
    reference.save()
    live_article.refresh_from_db()
    assert (
        "Changed after publication" not in live_article.live_revision.cited[0]["text"]
    )
    html = client.get(live_article.get_absolute_url()).content.decode()
    assert "Changed after publication" not in html
    assert "Cervical mucus patterns" in html


def test_uncited_reference_edit_changes_nothing(article, writer, reference):
    """References not cited by an article leave it alone."""
    other = Reference.objects.create(title="Unrelated", doi="10.1000/unrelated")
    other.title = "Still unrelated"
    other.save()
    assert article.revisions.count() == 1


# Model validation ---------------------------------------------------------------------


def test_duplicate_doi_refused_with_link(reference):
    """A second reference with the same DOI is refused, linking to the first."""
    duplicate = Reference(title="Again", doi="https://doi.org/10.1093/HUMREP/deab049")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    message = str(error.value.message_dict["doi"][0])
    assert "already exists" in message
    assert reverse("admin:references_reference_change", args=[reference.pk]) in message


def test_bad_identifier_is_a_field_error(db):
    """An invalid PMID is reported on its field."""
    with pytest.raises(ValidationError) as error:
        Reference(title="X", pmid="0123").full_clean()
    assert "not a PMID" in error.value.message_dict["pmid"][0]


def test_citation_key_generated_and_unique(db):
    """Keys are generated like najmabadi2021, with a suffix when taken."""
    authors = [{"family": "Najmabadi", "given": "S"}]
    first = Reference.objects.create(title="A", authors=authors, year=2021)
    second = Reference.objects.create(title="B", authors=authors, year=2021)
    assert (first.citation_key, second.citation_key) == (
        "najmabadi2021",
        "najmabadi2021a",
    )


def test_bulk_keys_resume_the_suffix_search_and_fill_no_gap_twice():
    """With a shared memo, keys come out exactly as one-by-one generation would."""
    authors = [{"family": "Smith", "given": "J"}]
    taken = {"smith2020", "smith2020b"}  # a gap at "a"
    memo: dict[str, int] = {}
    keys = []
    for _ in range(30):
        key = make_citation_key(authors, 2020, "T", taken.__contains__, memo)
        taken.add(key)
        keys.append(key)
    assert keys[:3] == ["smith2020a", "smith2020c", "smith2020d"]
    assert keys[-1] == "smith2020ae"  # after z comes aa
    assert len(set(keys)) == 30


def test_group_author_key(db):
    """A group author's first word makes the key."""
    ref = Reference.objects.create(
        title="Guideline",
        authors=[{"literal": "World Health Organization"}],
        year=2022,
    )
    assert ref.citation_key == "world2022"


# Import command -----------------------------------------------------------------------


def test_import_command_imports_medline_with_progress_and_summary(db):
    """The command imports all 10 records and prints a summary and a bar."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import_references", MEDLINE, stdout=out, stderr=err)
    assert Reference.objects.count() == 10
    assert "Imported 10 reference(s)" in out.getvalue()
    assert "100%" in err.getvalue()
    assert Reference.objects.filter(pmid="30922926").get().doi == (
        "10.1016/j.ejmg.2019.03.004"
    )


def test_import_command_skips_duplicates(reference):
    """Records with an existing DOI or PMID are skipped and listed."""
    out = io.StringIO()
    call_command(
        "import_references",
        FIXTURES / "najmabadi2021.ris",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert Reference.objects.count() == 1
    assert "skipped (same DOI as najmabadi2021)" in out.getvalue()


def test_import_command_is_all_or_nothing(db, tmp_path):
    """One bad record means nothing is imported, and the record is named."""
    text = MEDLINE.read_text().replace("PMID- 36448670", "PMID- 0")
    path = tmp_path / "bad.nbib"
    path.write_text(text)
    with pytest.raises(CommandError, match=r"Record 3 \(line \d+\).*Nothing"):
        call_command("import_references", path, stderr=io.StringIO())
    assert not Reference.objects.exists()


# Admin import -------------------------------------------------------------------------


IMPORT_URL = "/admin/references/reference/import/"


def test_admin_import_previews_then_imports(client, editor, reference):
    """Upload shows what will be created and the duplicates; confirm imports."""
    client.force_login(editor)
    upload = SimpleUploadedFile("refs.nbib", MEDLINE.read_bytes())
    preview = client.post(IMPORT_URL, {"file": upload})
    html = preview.content.decode()
    assert "10 references will be created" in html
    assert "Time lapse: A glimpse into prehistoric genomics" in html
    assert Reference.objects.count() == 1  # nothing yet
    response = client.post(IMPORT_URL, {"token": preview.context["token"]}, follow=True)
    assert Reference.objects.count() == 11
    assert "Imported 10 reference(s)" in response.content.decode()


def test_admin_import_shows_duplicates(client, editor, reference):
    """A pasted record with an existing DOI is listed as a duplicate."""
    client.force_login(editor)
    text = (FIXTURES / "najmabadi2021.bib").read_text()
    html = client.post(IMPORT_URL, {"text": text}).content.decode()
    assert "1 duplicate will be skipped" in html
    assert "same DOI as" in html


def test_admin_import_error_keeps_text_and_imports_nothing(client, editor, db):
    """A malformed paste shows the record and line, and keeps the text."""
    client.force_login(editor)
    text = MEDLINE.read_text().replace("PMID- 36448670", "PMID- 0")
    html = client.post(IMPORT_URL, {"text": text}).content.decode()
    assert "Record 3 (line" in html
    assert "Nothing was imported" in html
    assert "Time lapse" in html  # the pasted text is still in the form
    assert not Reference.objects.exists()


def test_admin_import_refused_without_permission(client, reviewer):
    """Users who cannot add references cannot import."""
    client.force_login(reviewer)
    assert client.get(IMPORT_URL).status_code == 403


def test_reference_list_runs_constant_queries(
    client, editor, writer, reference, django_assert_max_num_queries
):
    """The reference list costs the same for many references and citations."""
    call_command(
        "import_references", MEDLINE, stdout=io.StringIO(), stderr=io.StringIO()
    )
    create_article(writer)
    client.force_login(editor)
    with django_assert_max_num_queries(10):
        response = client.get("/admin/references/reference/")
    assert response.status_code == 200
    assert b"najmabadi2021" in response.content


def test_reference_search_by_doi_url(client, editor, reference):
    """Pasting a DOI URL into the search finds the reference."""
    client.force_login(editor)
    response = client.get(
        "/admin/references/reference/?q=https://doi.org/10.1093/humrep/deab049"
    )
    assert b"najmabadi2021" in response.content
