"""The demo shows evidence watching offline: the recorded retraction turns
on the live page's notice and puts it in the reviewer's queue."""

import io
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import call_command

from articles.models import Article, EvidenceAlert

RECORDED = (
    Path(__file__).resolve().parents[2]
    / "references/fixtures/evidence/wakefield-1998-retracted.json"
)


def test_check_evidence_on_the_recorded_answer_turns_the_notice_on(client, db, commit):
    """seed_demo, then check_evidence --from-file: notice on, re-review due."""
    call_command("seed_demo", stdout=io.StringIO())
    article = Article.objects.get(slug="mmr-vaccine-before-pregnancy")
    assert article.is_live
    assert "evidence-notice" not in client.get(article.get_absolute_url()).text
    with commit():
        call_command(
            "check_evidence", "--from-file", str(RECORDED), stdout=io.StringIO()
        )
    page = client.get(article.get_absolute_url()).text
    assert "evidence-notice" in page
    assert "was retracted" in page
    reviewer = get_user_model().objects.get(username="reviewer")
    alert = EvidenceAlert.objects.for_reviewer(reviewer).get()
    assert alert.article == article
    assert len(alert.sentences) == 2
