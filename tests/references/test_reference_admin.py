"""The reference admin: every page loads, and imports keep the upload server-side."""

import datetime
import io

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from references.admin.importing import MAX_UPLOAD_BYTES
from references.library import apply_import
from references.models import PendingImport, Reference
from tests.conftest import create_article
from tests.tasks import run_tasks

IMPORT_URL = "/admin/references/reference/import/"
RECORD = """PMID- {pmid}
DP  - 2020 Mar 14
TI  - Synthetic trial {n} of progesterone and early pregnancy outcomes in a
      multicentre cohort.
PG  - 100-110
AID - 10.5555/Large.{n} [doi]
FAU - Lastname{n}, Firstname A
PT  - Randomized Controlled Trial
TA  - Bench J
VI  - 12
IP  - 2
"""
# Real PubMed records carry abstracts of a few kilobytes; the import skips them.
ABSTRACT = "AB  - " + "Background and methods of a synthetic trial. " * 40 + "\n"


def medline(count: int, abstract: bool = False) -> str:
    return "\n".join(
        RECORD.format(pmid=10_000_000 + n, n=n) + (ABSTRACT if abstract else "")
        for n in range(count)
    )


def upload(text: str, name: str = "refs.nbib") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode())


@pytest.fixture
def cited_reference(article, reference):
    return reference


# Every page for every role ------------------------------------------------------------

PAGES = {
    "changelist": lambda ref: reverse("admin:references_reference_changelist"),
    "add": lambda ref: reverse("admin:references_reference_add"),
    "change": lambda ref: reverse("admin:references_reference_change", args=[ref.pk]),
    "history": lambda ref: reverse("admin:references_reference_history", args=[ref.pk]),
    "import": lambda ref: IMPORT_URL,
}
ALL_PAGES = dict.fromkeys(PAGES, 200)
EXPECTED = {
    "writer": ALL_PAGES,
    "reviewer": {**ALL_PAGES, "add": 403, "import": 403},  # may correct, not add
    "editor": ALL_PAGES,
}


@pytest.mark.parametrize("role", EXPECTED)
@pytest.mark.parametrize("page", PAGES)
def test_every_reference_admin_page_answers_for_every_role(
    request, client, cited_reference, role, page
):
    """No reference admin page is a 500 for any role, with a cited reference."""
    client.force_login(request.getfixturevalue(role))
    response = client.get(PAGES[page](cited_reference))
    assert response.status_code == EXPECTED[role][page]


@pytest.mark.parametrize("username", ["writer", "reviewer", "editor", "admin"])
def test_reference_pages_load_on_the_demo_for_each_role(client, db, username):
    """On the demo content, no reference's change or history page is an error."""
    call_command("seed_demo", stdout=io.StringIO())
    client.force_login(User.objects.get(username=username))
    assert Reference.objects.filter(articles__isnull=False).exists()
    for reference in Reference.objects.all():
        for page in ("change", "history"):
            assert client.get(PAGES[page](reference)).status_code == 200


def test_change_page_lists_the_articles_citing_it(client, editor, cited_reference):
    """The cited-by list links each citing article (it used to be a 500)."""
    client.force_login(editor)
    response = client.get(PAGES["change"](cited_reference))
    article = cited_reference.articles.get()
    link = reverse("admin:articles_article_change", args=[article.pk])
    assert f'<li><a href="{link}">{article.title}</a></li>' in response.content.decode()


def test_change_page_escapes_article_titles(client, editor, writer, reference):
    """A title with markup is shown as text in the cited-by list."""
    create_article(writer, title="<b>Bold</b> claims", slug="bold")
    client.force_login(editor)
    html = client.get(PAGES["change"](reference)).content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt; claims" in html


# Import: preview, then confirm with a token -------------------------------------------


def preview(client, text: str):
    response = client.post(IMPORT_URL, {"file": upload(text)})
    assert response.status_code == 200
    return response


def test_large_import_previews_and_confirms(client, editor):
    """A 3 MB file previews, then imports on confirmation (it used to be a 400)."""
    text = medline(1_500, abstract=True)
    assert len(text.encode()) > 3_000_000
    client.force_login(editor)
    response = preview(client, text)
    assert "1500 references will be created" in response.content.decode()
    assert Reference.objects.count() == 0
    confirm = client.post(IMPORT_URL, {"token": response.context["token"]})
    assert confirm.status_code == 302
    run_tasks(commit_first=True)  # over 500 records: imported in the background
    assert Reference.objects.count() == 1_500
    assert PendingImport.objects.get().status == "done"


def test_preview_keeps_the_upload_server_side(client, editor):
    """The confirm form carries a token, not the records."""
    client.force_login(editor)
    html = preview(client, medline(3)).content.decode()
    assert "Synthetic trial 1" in html  # in the preview list
    form = html[html.index('<input type="hidden" name="token"') :]
    assert "Synthetic trial" not in form
    assert PendingImport.objects.get().text == medline(3)


def test_preview_with_nothing_new_stores_nothing(client, editor, reference):
    """When every record is a duplicate there is nothing to confirm or keep."""
    client.force_login(editor)
    response = client.post(IMPORT_URL, {"text": f"PMID- {reference.pmid}\nTI  - T\n"})
    assert "1 duplicate will be skipped" in response.content.decode()
    assert "token" not in response.context
    assert not PendingImport.objects.exists()


def test_confirm_replans_against_current_references(client, editor):
    """A record imported meanwhile is skipped as a duplicate on confirmation."""
    client.force_login(editor)
    response = preview(client, medline(3))
    Reference.objects.create(title="Meanwhile", pmid="10000001")
    client.post(IMPORT_URL, {"token": response.context["token"]})
    assert Reference.objects.count() == 3


def test_concurrent_duplicate_gives_a_message_not_a_500(client, editor, monkeypatch):
    """A DOI stored by someone else between plan and insert rolls everything back."""
    from references.admin import importing as admin

    def import_racing_another_user(plan, progress=None):
        Reference.objects.create(title="Racer", doi="10.5555/Large.1")
        return apply_import(plan, progress)

    client.force_login(editor)
    token = preview(client, medline(2)).context["token"]
    monkeypatch.setattr(admin, "apply_import", import_racing_another_user)
    response = client.post(IMPORT_URL, {"token": token})
    assert "Someone else imported" in response.content.decode()
    assert not Reference.objects.exists()
    assert PendingImport.objects.exists()


def test_only_the_uploader_can_confirm(client, editor, writer):
    """Another user's confirmation is refused with a message; nothing imported."""
    client.force_login(editor)
    token = preview(client, medline(2)).context["token"]
    client.force_login(writer)
    response = client.post(IMPORT_URL, {"token": token})
    assert response.status_code == 200
    assert "Only the person who uploaded" in response.content.decode()
    assert not Reference.objects.exists()
    assert PendingImport.objects.exists()


def test_confirming_twice_imports_once(client, editor):
    """The second confirmation of the same preview imports nothing."""
    client.force_login(editor)
    token = preview(client, medline(2)).context["token"]
    client.post(IMPORT_URL, {"token": token})
    response = client.post(IMPORT_URL, {"token": token})
    assert "already confirmed" in response.content.decode()
    assert Reference.objects.count() == 2


def test_tampered_token_is_refused(client, editor):
    """A token that was not signed here is refused with a message."""
    client.force_login(editor)
    token = preview(client, medline(1)).context["token"]
    response = client.post(IMPORT_URL, {"token": token[:-2] + "xx"})
    assert "not valid" in response.content.decode()
    assert not Reference.objects.exists()


def test_day_old_preview_is_refused_and_purged(client, editor):
    """After a day the preview cannot be confirmed, and its upload is deleted."""
    client.force_login(editor)
    start = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        token = preview(client, medline(2)).context["token"]
    with time_machine.travel(start + datetime.timedelta(hours=25), tick=False):
        client.force_login(editor)
        response = client.post(IMPORT_URL, {"token": token})
    assert "more than a day old" in response.content.decode()
    assert not Reference.objects.exists()
    assert not PendingImport.objects.exists()


def test_old_uploads_are_purged_when_the_import_page_opens(client, editor, writer):
    """Abandoned previews older than a day are deleted, whoever made them."""
    old = PendingImport.objects.create(created_by=writer, text="x")
    PendingImport.objects.filter(pk=old.pk).update(
        created_at=old.created_at - datetime.timedelta(days=2)
    )
    fresh = PendingImport.objects.create(created_by=writer, text="y")
    client.force_login(editor)
    client.get(IMPORT_URL)
    assert list(PendingImport.objects.all()) == [fresh]


def test_file_over_the_limit_gets_a_readable_error(client, editor):
    """A file over 20 MB gets a message on the import page, not a bare error."""
    client.force_login(editor)
    big = SimpleUploadedFile("big.nbib", b"x" * (MAX_UPLOAD_BYTES + 1))
    response = client.post(IMPORT_URL, {"file": big})
    assert response.status_code == 200
    assert "the limit is 20.0" in response.content.decode()
    assert not PendingImport.objects.exists()


def test_file_with_nul_bytes_is_refused(client, editor):
    """A binary file is refused before anything is stored."""
    client.force_login(editor)
    response = client.post(IMPORT_URL, {"file": upload(medline(1) + "\x00")})
    assert "NUL characters" in response.content.decode()
    assert not PendingImport.objects.exists()
