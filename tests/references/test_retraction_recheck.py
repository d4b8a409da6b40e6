"""The re-check of the articles citing references with a notice runs in the
foreground with progress bars, or as a library-wide task."""

import io
import logging

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from articles.retraction_checks import recheck_retractions
from references.models import Reference
from tests.tasks import run_tasks

HEADER = (
    "Record ID,Title,Subject,Institution,Journal,Publisher,Country,Author,URLS,"
    "ArticleType,RetractionDate,RetractionDOI,RetractionPubMedID,OriginalPaperDate,"
    "OriginalPaperDOI,OriginalPaperPubMedID,RetractionNature,Reason,Paywalled,Notes,"
)
RETRACTED = (
    '1,"A paper",(BLS),Inst,J,P,UK,A Author,,Research Article;,3/14/2021 0:00,'
    "10.1000/notice.1,0,1/1/2019 0:00,10.1093/humrep/deab049,0,Retraction,"
    "+Falsification;,No,\n"
)
RECHECK_TASK = "articles.retraction_checks.recheck_retractions"


@pytest.fixture
def retraction_csv(tmp_path):
    path = tmp_path / "retractions.csv"
    path.write_text(HEADER + "\n" + RETRACTED)
    return path


def cited_status(article) -> str:
    article.refresh_from_db()
    return article.current_revision.cited[0]["retraction_status"]


def command(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_retractions", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_in_the_foreground_the_recheck_shows_progress(article, retraction_csv):
    """Reading, matching and re-checking each show a progress bar."""
    out, err = command(retraction_csv)
    assert "1 reference(s) updated, 1 newly retracted" in out
    assert "1 article(s) updated; they need review again." in out
    assert "Re-checking: 100%" in err
    assert cited_status(article) == "retraction"


def test_in_the_background_the_recheck_is_queued_for_a_worker(article, retraction_csv):
    """The notices are recorded at once; the articles are re-checked by a task."""
    out, _err = command(retraction_csv, "--in-background")
    assert "re-check of citing articles is queued" in out
    assert Reference.objects.get().retraction_status == "retraction"
    assert DBTaskResult.objects.get().task_path == RECHECK_TASK
    assert cited_status(article) == ""
    assert run_tasks() == 1
    assert cited_status(article) == "retraction"


def test_without_a_file_the_whole_library_is_rechecked(article, reference):
    """A notice recorded without re-checking (an old failure) is caught up."""
    Reference.objects.filter(pk=reference.pk).update(retraction_status="retraction")
    assert cited_status(article) == ""
    out, _err = command()
    assert "1 article(s) updated" in out
    assert cited_status(article) == "retraction"


def test_the_task_logs_its_progress_and_the_urgent_pages(live_article, caplog):
    """Progress and each live page citing a retracted source go to the log."""
    Reference.objects.update(retraction_status="retraction")
    with caplog.at_level(logging.INFO, logger="articles.retraction_checks"):
        result = recheck_retractions.call()
    assert "Retraction re-check: 1 of 1 reference(s)." in caplog.text
    assert "URGENT REVIEW: cervical-mucus is live" in caplog.text
    assert result == {
        "references": 1,
        "articles_updated": 1,
        "urgent": ["cervical-mucus"],
    }


def test_the_recheck_is_safe_to_repeat(article, reference):
    """A second run finds every article up to date and changes nothing."""
    Reference.objects.filter(pk=reference.pk).update(retraction_status="correction")
    assert recheck_retractions.call()["articles_updated"] == 1
    revisions = article.revisions.count()
    assert recheck_retractions.call()["articles_updated"] == 0
    assert article.revisions.count() == revisions
