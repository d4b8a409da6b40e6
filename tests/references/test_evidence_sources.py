"""PubMed, the Retraction Watch CSV and cited links, against recorded answers."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from references.evidence.checks import CheckFailed, Request, run_check
from references.evidence.retraction_watch import bad_byte_lines
from references.models import EvidenceCheck, EvidenceFinding, Reference
from tests.references.evidence_helpers import FIXTURES, WAKEFIELD_DOI, wakefield
from tests.references.replay import Answer

CSV = FIXTURES / "retraction-watch-bad-byte.csv"
pytestmark = pytest.mark.django_db


def test_pubmed_retracted_publication(replay):
    """A PMID-only reference: RetractionIn (with its notice DOI and date)."""
    reference = wakefield(doi="", pmid="9500320")
    report = run_check(Request("pubmed"))
    kinds = {(f.kind, f.notice_pmid, str(f.notice_date)) for f in report.findings}
    assert ("retraction", "20137807", "2010-02-06") in kinds
    assert ("expression_of_concern", "21971344", "2011-11-01") in kinds
    retraction = next(f for f in report.findings if f.kind == "retraction")
    assert retraction.notice_doi == "10.1016/S0140-6736(10)60175-4"
    reference.refresh_from_db()
    assert reference.is_retracted
    assert replay.requests[-1].query["id"] == ["9500320"]


def test_pubmed_skips_references_with_a_doi(replay):
    """A reference with a DOI is watched through Crossref, not PubMed."""
    wakefield(pmid="9500320")
    report = run_check(Request("pubmed"))
    assert report.check.checked == 0 and replay.hits("/eutils/") == 0


def test_csv_reports_the_bad_byte_line(db):
    """The latin-1 byte on line 3 is reported; its row is still read."""
    assert bad_byte_lines(CSV.read_bytes()) == [3]
    report = run_check(Request("csv", from_file=CSV))
    assert "Invalid UTF-8 on line(s) 3" in report.check.notes
    assert "3 record(s) read" in report.check.notes


def test_csv_diff_applies_only_new_or_changed_records(tmp_path):
    """The second run of the same file applies nothing; a changed record is
    applied; an unchanged one is skipped."""
    reference = wakefield(pmid="9500320")
    first = run_check(Request("csv", from_file=CSV))
    assert {f.record_id for f in first.findings} == {"4036", "17269"}
    again = run_check(Request("csv", from_file=CSV))
    assert again.findings == [] and "0 new or changed" in again.check.notes
    changed = tmp_path / "retraction_watch.csv"
    changed.write_bytes(
        CSV.read_bytes().replace(
            b"Correction,+Correction/Erratum/Corrigendum;",
            b"Expression of concern,+Concerns/Issues About Data;",
        )
    )
    third = run_check(Request("csv", from_file=changed))
    assert [(f.record_id, f.kind) for f in third.findings] == [
        ("17269", "expression_of_concern")
    ]
    assert "1 new or changed" in third.check.notes
    reference.refresh_from_db()
    assert reference.retraction_status == "retraction"  # the retraction still wins


def test_csv_pmid_matches_a_reference_without_doi(db):
    """OriginalPaperPubMedID covers PMID-only references."""
    reference = wakefield(doi="", pmid="9500320")
    run_check(Request("csv", from_file=CSV))
    reference.refresh_from_db()
    assert reference.retraction_status == "retraction"


def test_csv_download_failure_applies_nothing(replay, settings):
    """A dead CSV host: the check fails, no record is remembered."""
    settings.HEALTH_LOOKUP = {
        **settings.HEALTH_LOOKUP,
        "RETRACTION_WATCH_URL": f"{replay.url}/rw/retraction_watch.csv",
    }
    replay.script("/rw/retraction_watch.csv", *[Answer(503, b"down")] * 3)
    wakefield()
    with pytest.raises(CheckFailed, match="ServiceError"):
        run_check(Request("csv"))
    assert EvidenceCheck.objects.get().result == "failed"
    assert not EvidenceFinding.objects.exists()


def link(url: str, key: str) -> Reference:
    return Reference.objects.create(
        kind="web_page", title=f"Page {key}", url=url, citation_key=key
    )


def test_broken_link_recorded_and_head_refused_falls_back_to_get(replay):
    """A 404 is recorded with since when; a server refusing HEAD (405) is
    asked again with GET and counts as alive."""
    gone = link(f"{replay.url}/site/gone", "gone")
    alive = link(f"{replay.url}/site/alive", "alive")
    replay.script("/site/gone", Answer(404), Answer(404))
    replay.script("/site/alive", Answer(405), Answer(200, b"<html>ok</html>"))
    report = run_check(Request("links"))
    gone.refresh_from_db()
    alive.refresh_from_db()
    assert gone.link_status == "HTTP 404" and gone.link_broken_since is not None
    assert alive.link_status == "" and alive.link_broken_since is None
    methods = [s.method for s in replay.requests if s.path == "/site/alive"]
    assert methods == ["HEAD", "GET"]
    assert report.check.findings == 1
    assert list(Reference.objects.with_broken_links()) == [gone]


def test_private_address_is_refused_without_a_request(replay):
    """A link to a private address is never requested; it is recorded refused."""
    private = link("http://10.0.0.1/page", "private")
    loopback = link("http://127.0.0.1:9/page", "loopback")
    run_check(Request("links"))
    for reference in (private, loopback):
        reference.refresh_from_db()
        assert reference.link_status.startswith("refused")
        assert "internal address" in reference.link_status


def test_links_of_references_with_a_doi_are_not_checked(replay):
    wakefield(url=f"{replay.url}/site/x")
    report = run_check(Request("links"))
    assert report.check.checked == 0 and replay.hits("/site/") == 0


def test_command_from_file_for_one_reference(db):
    """check_evidence --from-file --reference prints the finding."""
    wakefield()
    out = io.StringIO()
    call_command(
        "check_evidence",
        "--reference",
        "wakefield1998",
        "--source",
        "crossref-full",
        "--from-file",
        str(FIXTURES / "crossref-work-wakefield-1998.json"),
        stdout=out,
        stderr=io.StringIO(),
    )
    text = out.getvalue()
    assert "1 reference(s) checked, 2 new finding(s)" in text
    assert "wakefield1998: Retraction (2010-02-06)" in text
    assert EvidenceCheck.objects.get().reference.citation_key == "wakefield1998"


def test_command_infers_the_source_from_the_file(db):
    wakefield(doi="", pmid="9500320")
    out = io.StringIO()
    call_command(
        "check_evidence",
        "--from-file",
        str(FIXTURES / "pubmed-efetch-9500320.xml"),
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "PubMed: 1 reference(s) checked" in out.getvalue()


def test_command_names_an_unknown_key(db):
    with pytest.raises(CommandError, match="No reference has the citation key"):
        call_command("check_evidence", "--reference", "nobody", stdout=io.StringIO())


def test_command_reports_a_failed_check(replay):
    wakefield()
    replay.script(f"/crossref/works/{WAKEFIELD_DOI}", *[Answer(503, b"x")] * 3)
    with pytest.raises(CommandError, match="nothing was applied"):
        call_command(
            "check_evidence",
            "--source",
            "crossref-full",
            "--all",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )


def test_check_and_findings_on_the_reference_admin_page(client, editor):
    """The reference's page shows the last checks and its findings."""
    reference = wakefield()
    run_check(Request("csv", from_file=CSV))
    client.force_login(editor)
    page = client.get(reference.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "Retraction Watch CSV" in html and "Succeeded" in html
    assert "10.1016/S0140-6736(10)60175-4" in html
    assert "Evidence findings" in html
    check = EvidenceCheck.objects.get()
    assert reverse("admin:references_evidencecheck_change", args=[check.pk]) in html


def test_same_downloaded_file_is_read_once(replay, settings):
    """The daily download's SHA-256 matches the last: nothing is applied."""
    settings.HEALTH_LOOKUP = {
        **settings.HEALTH_LOOKUP,
        "RETRACTION_WATCH_URL": f"{replay.url}/rw/retraction_watch.csv",
    }
    body = CSV.read_bytes()
    replay.script("/rw/retraction_watch.csv", Answer(200, body), Answer(200, body))
    wakefield()
    first = run_check(Request("csv"))
    second = run_check(Request("csv"))
    assert len(first.findings) == 2
    assert "same file" in second.check.notes and second.findings == []
    assert second.check.dataset == first.check.dataset
