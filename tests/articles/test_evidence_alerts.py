"""What a finding about a cited source does: the live page's notice at every
address, the re-review now, the reviewer told with the sentences that cite
it; and the notice gone once an update without the source goes live."""

import datetime
import json
import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, EvidenceAlert, Notification
from articles.preflight import run_checks
from references.evidence.checks import Outcome, record, tell
from references.evidence.notices import Finding
from references.models import EvidenceCheck, Reference
from tests.articles.test_page_addresses import read
from tests.page_urls import JSON_LD
from tests.tasks import run_tasks

WAKEFIELD_DOI = "10.1016/S0140-6736(97)11096-0"
NOTICE_DOI = "10.1016/s0140-6736(10)60175-4"
BODY = (
    "Mucus changes through the cycle [@najmabadi2021].\n\n"
    "An early case series suggested a link with bowel disease [@wakefield1998]. "
    "That claim is not supported.\n\n"
    "- A single list item relied on it too [@najmabadi2021; @wakefield1998]\n"
)
# Every address of the page: plain, tracking parameters, and a redirect.
ADDRESSES = ["", "?utm_source=newsletter", "?page=2", "?q=anything"]
NOTICE = "Reference 2 was retracted on 6 February 2010."


@pytest.fixture
def wakefield(db):
    return Reference.objects.create(
        citation_key="wakefield1998",
        title="Ileal-lymphoid-nodular hyperplasia, non-specific colitis, and "
        "pervasive developmental disorder in children",
        authors=[{"family": "Wakefield", "given": "A J"}],
        container_title="The Lancet",
        year=1998,
        doi=WAKEFIELD_DOI,
        evidence_level="case_series",
    )


@pytest.fixture
def live(live_in_topic, wakefield, writer, reviewer, editor, commit):
    """A live article whose reference 2 is the Wakefield paper."""
    live_in_topic.body = BODY
    live_in_topic.save()
    live_in_topic.save_revision(by=writer, change_class="update")
    live_in_topic.submit_for_review(by=writer)
    live_in_topic.approve(by=reviewer, change_class="update")
    with commit():
        live_in_topic.publish(by=editor)
    live_in_topic.refresh_from_db()
    return live_in_topic


def find(reference, kind="retraction", date=datetime.date(2010, 2, 6), doi=NOTICE_DOI):
    """A watcher's check that finds a notice, recorded and told as theirs are."""
    check = EvidenceCheck.objects.create(source="crossref-full", reference=reference)
    finding = Finding(
        kind=kind,
        work_doi=reference.doi,
        notice_doi=doi,
        date=date,
        provenance="retraction-watch",
    )
    report = record(
        check, Outcome(checked=[reference.pk], matches=[(reference.pk, finding)])
    )
    tell(report, in_background=False)
    return report


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", response.content.decode()).split())


def test_retraction_shows_the_notice_at_every_address_through_the_cache(
    client, live, wakefield, commit
):
    """Pages cached before the finding show the notice right after it."""
    for variant in ADDRESSES:
        for _ in range(2):
            assert NOTICE not in text(read(client, live.get_absolute_url() + variant))
    with commit():
        find(wakefield)
    for variant in ADDRESSES:
        page = text(read(client, live.get_absolute_url() + variant))
        assert NOTICE in page
        assert "Our medical reviewers are checking this page." in page


def test_notice_links_to_the_notice_and_the_reference(client, live, wakefield, commit):
    """The notice links to the retraction notice's DOI and to the reference."""
    with commit():
        find(wakefield)
    html = client.get(live.get_absolute_url()).content.decode()
    notice = html[html.index('class="evidence-notice"') :].split("</aside>")[0]
    assert f'href="https://doi.org/{NOTICE_DOI}"' in notice
    assert 'href="#ref-2"' in notice


def test_retraction_makes_the_review_due_now_in_the_reviewers_queue(
    live, wakefield, reviewer, commit
):
    """Due today, and an open alert in the approving reviewer's queue."""
    with commit():
        find(wakefield)
    live.refresh_from_db()
    assert live.next_review_due == datetime.date.today()
    alert = EvidenceAlert.objects.for_reviewer(reviewer).get()
    assert alert.article == live
    assert alert.number == 2
    assert alert.kind == "retraction"


def test_reviewer_and_editors_are_told_with_the_citing_sentences(
    live, wakefield, reviewer, editor, commit
):
    """The bell and the email; the email quotes each sentence citing it."""
    mail.outbox.clear()
    with commit():
        find(wakefield)
    run_tasks()
    kinds = Notification.objects.filter(kind=Notification.Kind.EVIDENCE)
    assert set(kinds.values_list("recipient", flat=True)) == {reviewer.pk, editor.pk}
    letters = [m for m in mail.outbox if m.subject.startswith("[Re-review now]")]
    assert sorted(m.to[0] for m in letters) == [editor.email, reviewer.email]
    letter = letters[0]
    assert "An early case series suggested a link with bowel disease." in letter.body
    assert "A single list item relied on it too" in letter.body
    assert "That claim is not supported." not in letter.body
    assert "Mucus changes through the cycle." not in letter.body


def test_review_screen_lists_the_citing_sentences(
    client, live, wakefield, reviewer, commit
):
    """The reviewer sees which claims relied on the source."""
    with commit():
        find(wakefield)
    client.force_login(reviewer)
    response = client.get(f"/admin/articles/article/{live.pk}/review/")
    page = text(response)
    assert "Evidence alerts" in page
    assert "An early case series suggested a link with bowel disease." in page


def test_notice_goes_when_an_update_without_the_source_goes_live(
    client, live, wakefield, writer, reviewer, editor, commit
):
    """The re-review drops the citation: the notice leaves every address."""
    with commit():
        find(wakefield)
    for variant in ADDRESSES:
        assert NOTICE in text(read(client, live.get_absolute_url() + variant))
    live.refresh_from_db()
    live.body = "Mucus changes through the cycle [@najmabadi2021]."
    live.save()
    live.save_revision(
        by=writer, note="Retracted source removed.", change_class="update"
    )
    live.submit_for_review(by=writer)
    live.approve(by=reviewer, change_class="update")
    with commit():
        live.publish(by=editor)
    for variant in ADDRESSES:
        page = text(read(client, live.get_absolute_url() + variant))
        assert "was retracted" not in page
    assert not EvidenceAlert.objects.open().exists()


def test_republishing_is_blocked_while_the_source_is_cited(
    live, wakefield, writer, commit
):
    """An update that still cites a retracted source cannot be submitted."""
    with commit():
        find(wakefield)
    live.refresh_from_db()
    checks = run_checks(live, live.current_revision)
    assert any(c.code == "retracted" and c.blocking for c in checks)


@pytest.mark.parametrize("kind", ["withdrawal", "removal"])
def test_withdrawal_and_removal_block_like_a_retraction(live, wakefield, kind, commit):
    """Every kind the policy blocks, blocks."""
    with commit():
        find(wakefield, kind=kind)
    live.refresh_from_db()
    blocking = [c for c in run_checks(live, live.current_revision) if c.blocking]
    assert [c.code for c in blocking] == ["retracted"]


def test_correction_tells_the_reviewer_and_shows_readers_nothing(
    client, live, wakefield, reviewer, editor, commit
):
    """A correction: the reviewer hears of it; no notice, no re-review."""
    due = live.next_review_due
    with commit():
        find(wakefield, kind="correction", doi="10.1016/s0140-6736(04)15715-2")
    live.refresh_from_db()
    assert live.next_review_due == due
    told = Notification.objects.filter(kind=Notification.Kind.EVIDENCE)
    assert list(told.values_list("recipient", flat=True)) == [reviewer.pk]
    assert not EvidenceAlert.objects.due().exists()
    assert "evidence-notice" not in client.get(live.get_absolute_url()).content.decode()


def test_expression_of_concern_shows_a_notice_and_asks_for_re_review(
    client, live, wakefield, commit
):
    """An expression of concern: re-review now, and readers told."""
    with commit():
        find(wakefield, kind="expression_of_concern", doi="10.1016/x.eoc")
    assert EvidenceAlert.objects.due().exists()
    page = text(client.get(live.get_absolute_url()))
    assert "Reference 2 received an expression of concern on 6 February 2010." in page
    run = [c for c in run_checks(live, live.current_revision) if c.blocking]
    assert run == []


def test_json_ld_marks_the_cited_work_with_its_notice(client, live, wakefield, commit):
    """The citation carries a CorrectionComment pointing at the notice."""
    with commit():
        find(wakefield)
    html = client.get(live.get_absolute_url()).content.decode()
    graph = json.loads(JSON_LD.search(html)[1])["@graph"]
    article = next(node for node in graph if node["@type"] == "Article")
    cited = article["citation"][1]
    assert cited["sameAs"] == f"https://doi.org/{WAKEFIELD_DOI}"
    assert cited["correction"] == {
        "@type": "CorrectionComment",
        "name": "Retraction",
        "datePublished": "2010-02-06",
        "sameAs": f"https://doi.org/{NOTICE_DOI}",
    }
    assert "correction" not in article["citation"][0]


def test_notice_text_comes_from_the_template_only(client, live, wakefield, commit):
    """Whatever a service sends as label or reason, readers never see it."""
    check = EvidenceCheck.objects.create(source="csv")
    finding = Finding(
        kind="retraction",
        work_doi=wakefield.doi,
        notice_doi=NOTICE_DOI,
        date=datetime.date(2010, 2, 6),
        label="<script>alert(1)</script> Buy pills",
        reason="Injected reason text",
    )
    with commit():
        tell(record(check, Outcome(matches=[(wakefield.pk, finding)])), False)
    html = client.get(live.get_absolute_url()).content.decode()
    assert NOTICE in text(client.get(live.get_absolute_url()))
    assert "Buy pills" not in html
    assert "Injected reason" not in html


def test_finding_for_an_uncited_source_changes_no_page(client, live, reference, commit):
    """A page citing other sources keeps its ETag."""
    other = Reference.objects.create(
        citation_key="other2000", title="Other", year=2000, doi="10.1000/other"
    )
    before = Article.objects.get(pk=live.pk).page_version
    with commit():
        find(other, doi="10.1000/notice")
    assert Article.objects.get(pk=live.pk).page_version == before
    assert not EvidenceAlert.objects.exists()


def test_deleting_a_finding_removes_the_notice(client, live, wakefield, commit):
    """A finding put right (deleted) takes its notice with it."""
    with commit():
        report = find(wakefield)
    assert NOTICE in text(client.get(live.get_absolute_url()))
    with commit():
        report.findings[0].delete()
    assert "was retracted" not in text(client.get(live.get_absolute_url()))


def test_the_notice_costs_the_article_page_no_query(
    client, live, wakefield, commit, django_assert_num_queries, settings
):
    """The notice is prepared with the page: the same queries with it as
    without it."""
    settings.HEALTH_PAGE_CACHE = False
    url = live.get_absolute_url()
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    with commit():
        find(wakefield)
    with django_assert_num_queries(len(before)):
        assert NOTICE in text(client.get(url))
