import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from articles.models import Article
from articles.workflow import WorkflowError
from references.models import Reference
from references.retractions import RetractionIndex, iter_notices

HEADER = (
    "Record ID,Title,Subject,Institution,Journal,Publisher,Country,Author,URLS,"
    "ArticleType,RetractionDate,RetractionDOI,RetractionPubMedID,OriginalPaperDate,"
    "OriginalPaperDOI,OriginalPaperPubMedID,RetractionNature,Reason,Paywalled,Notes,"
)


def row(record, doi, pmid, nature, date="3/14/2021 0:00", title="A paper"):
    return (
        f'{record},"{title}",(BLS),Inst,J,P,UK,A Author,,Research Article;,{date},'
        f"10.1000/notice.{record},0,1/1/2019 0:00,{doi},{pmid},{nature},"
        "+Concerns/Issues About Data;+Falsification;,No,\n"
    )


def csv_bytes(*rows) -> bytes:
    return (HEADER + "\n" + "".join(rows)).encode()


def test_notices_tolerate_known_quirks():
    """Trailing comma, 0 PMIDs, 'unavailable' DOIs, M/D/YYYY dates, bad UTF-8."""
    data = csv_bytes(
        row(1, "10.1093/HUMREP/deab049", "0", "Retraction"),
        row(2, "unavailable", "33990841", "Expression of concern"),
    ).replace(b"A paper", b"A \xff\xfe paper", 1)
    notices = list(iter_notices(io.BytesIO(data)))
    assert notices[0].original_doi == "10.1093/HUMREP/deab049"
    assert notices[0].original_pmid == ""
    assert notices[0].date == datetime.date(2021, 3, 14)
    assert notices[0].reason == "Concerns/Issues About Data; Falsification"
    assert "\ufffd" in notices[0].title
    assert notices[1].original_doi == ""
    assert notices[1].nature == "expression_of_concern"


def test_missing_columns_are_named():
    """A CSV that is not Retraction Watch's says which columns are missing."""
    with pytest.raises(ValueError, match="missing column"):
        list(iter_notices(io.BytesIO(b"a,b\n1,2\n")))


def test_index_prefers_retraction_and_matches_doi_then_pmid():
    """A retraction outranks a correction; DOI is tried before PMID."""
    index = RetractionIndex()
    for notice in iter_notices(
        io.BytesIO(
            csv_bytes(
                row(1, "10.1000/a", "111", "Correction"),
                row(2, "10.1000/a", "111", "Retraction"),
                row(3, "10.1000/b", "222", "Correction"),
            )
        )
    ):
        index.add(notice)
    assert index.lookup(doi="10.1000/a").nature == "retraction"
    assert index.lookup(doi="10.9/none", pmid="222").nature == "correction"
    assert index.lookup(doi="10.9/none", pmid="999") is None


def test_index_matches_dois_whatever_their_case():
    """A notice for 10.1056/NEJMoa… matches a reference stored as 10.1056/nejmoa…."""
    index = RetractionIndex()
    for notice in iter_notices(
        io.BytesIO(csv_bytes(row(1, "10.1056/NEJMoa1504927", "0", "Retraction")))
    ):
        index.add(notice)
    assert index.lookup(doi="10.1056/nejmoa1504927").nature == "retraction"
    assert index.lookup(doi="10.1056/NEJMOA1504927").nature == "retraction"


@pytest.fixture
def retraction_csv(tmp_path):
    path = tmp_path / "retractions.csv"
    path.write_bytes(
        csv_bytes(
            row(1, "10.1093/humrep/deab049", "0", "Retraction"),
            row(2, "10.1056/nejmoa0000001", "12345", "Correction"),
        )
    )
    return path


def test_command_records_retraction_and_blocks_publishing(
    live_article, writer, reviewer, editor, reference, retraction_csv
):
    """A retracted source blocks approval and publication of an update."""
    out = io.StringIO()
    call_command("import_retractions", retraction_csv, stdout=out, stderr=io.StringIO())
    reference.refresh_from_db()
    assert reference.retraction_status == "retraction"
    assert reference.retraction_notice_doi == "10.1000/notice.1"
    assert "URGENT REVIEW" in out.getvalue()
    live_article.refresh_from_db()
    assert live_article.is_live  # stays up, flagged for urgent review
    with pytest.raises(WorkflowError, match="has been retracted"):
        live_article.submit_for_review(by=writer)


def test_correction_is_a_warning_not_a_block(
    article, writer, reference, retraction_csv
):
    """A correction notice does not block submission."""
    Reference.objects.filter(pk=reference.pk).update(doi="10.1056/nejmoa0000001")
    call_command(
        "import_retractions", retraction_csv, stdout=io.StringIO(), stderr=io.StringIO()
    )
    reference.refresh_from_db()
    assert reference.retraction_status == "correction"
    article.body = article.body + " "
    article.save_revision(by=writer)
    article.submit_for_review(by=writer)
    assert Article.objects.get(pk=article.pk).status == "in_review"


def test_command_reports_unreadable_file(tmp_path):
    """A missing file is a clear command error."""
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_retractions", tmp_path / "nope.csv")


def test_command_shows_progress_on_thousands_of_rows(tmp_path, reference):
    """Thousands of rows import with a progress bar."""
    path = tmp_path / "big.csv"
    rows = [row(n, f"10.5555/x{n}", str(n), "Retraction") for n in range(1, 3001)]
    path.write_bytes(csv_bytes(*rows))
    err, out = io.StringIO(), io.StringIO()
    call_command("import_retractions", path, stdout=out, stderr=err)
    assert "3000 notice rows read" in out.getvalue()
    assert "Reading" in err.getvalue() and "100%" in err.getvalue()


def test_admin_lists_live_articles_citing_a_retracted_source_as_urgent(
    client, live_article, editor, reference, retraction_csv
):
    """After the import, the article list and the dashboard flag the live page."""
    call_command(
        "import_retractions", retraction_csv, stdout=io.StringIO(), stderr=io.StringIO()
    )
    client.force_login(editor)
    changelist = reverse("admin:articles_article_changelist")
    urgent = client.get(changelist, {"sources": "urgent"})
    assert list(urgent.context["cl"].result_list) == [live_article]
    assert "URGENT: live page cites a retracted source" in urgent.text
    assert (
        client.get(changelist, {"live": "no", "sources": "urgent"})
        .context["cl"]
        .result_count
        == 0
    )
    dashboard = client.get(reverse("admin:articles_article_dashboard"))
    assert live_article in dashboard.context["retracted"]


def test_no_urgent_flag_before_a_retraction(client, live_article, editor):
    client.force_login(editor)
    response = client.get(
        reverse("admin:articles_article_changelist"), {"sources": "urgent"}
    )
    assert response.context["cl"].result_count == 0
    assert "URGENT" not in response.text
