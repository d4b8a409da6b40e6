"""The Crossref watchers, against recorded answers on 127.0.0.1."""

import datetime
import json
import time

import pytest
import time_machine

from references.evidence.checks import CheckFailed, Request, run_check
from references.evidence.crossref import slice_of, today_slice
from references.models import EvidenceCheck, EvidenceFinding, Reference
from references.signals import evidence_found, notices_changed
from tests.references.evidence_helpers import (
    FIXTURES,
    WAKEFIELD_DOI,
    wakefield,
    zhou,
)
from tests.references.replay import Answer

WORK = f"/crossref/works/{WAKEFIELD_DOI}"
pytestmark = pytest.mark.django_db


def full(reference=None) -> Request:
    return Request("crossref-full", reference=reference, whole=True)


def test_retracted_work_is_recorded_from_updated_by(replay):
    """Wakefield's `updated-by`: a correction and a retraction, both recorded."""
    reference = wakefield()
    report = run_check(full())
    kinds = {(f.kind, f.notice_doi, f.notice_date) for f in report.findings}
    assert kinds == {
        ("correction", "10.1016/s0140-6736(04)15715-2", datetime.date(2004, 3, 6)),
        ("retraction", "10.1016/s0140-6736(10)60175-4", datetime.date(2010, 2, 6)),
    }
    reference.refresh_from_db()
    assert reference.retraction_status == "retraction"
    assert reference.retraction_date == datetime.date(2010, 2, 6)
    assert reference.last_checked_source == "crossref-full"
    assert {f.record_id for f in report.findings} == {"17269", "4036"}


def test_corrected_work_is_a_correction(replay):
    """A work with only a correction is marked corrected, not retracted."""
    replay.script(
        WORK,
        Answer(
            200,
            (
                FIXTURES / "crossref-work-wakefield-1998-corrected-2004.json"
            ).read_bytes(),
            "application/json",
        ),
    )
    reference = wakefield()
    report = run_check(full())
    assert [f.kind for f in report.findings] == ["correction"]
    reference.refresh_from_db()
    assert reference.retraction_status == "correction"
    assert not reference.is_retracted


def test_publishers_addendum(replay):
    """Zhou 2020's addendum, recorded by the publisher."""
    reference = zhou()
    report = run_check(full())
    (finding,) = report.findings
    assert (finding.kind, finding.provenance) == ("addendum", "publisher")
    assert finding.notice_doi == "10.1038/s41586-020-2951-z"
    reference.refresh_from_db()
    assert reference.retraction_status == "addendum"


def test_second_run_finds_nothing_new(replay):
    """A notice already recorded is not a new finding, and sends nothing."""
    wakefield()
    run_check(full())
    heard = []
    evidence_found.connect(heard.append, dispatch_uid="test-heard")
    try:
        report = run_check(full())
    finally:
        evidence_found.disconnect(dispatch_uid="test-heard")
    assert report.findings == [] and heard == []
    assert EvidenceFinding.objects.count() == 2


def test_signals_carry_the_findings(replay):
    """evidence_found gets the new findings; notices_changed the retracted id."""
    reference = wakefield()
    heard = {}

    def on_found(sender, findings, check, in_background, **kwargs):
        heard["found"] = ([f.kind for f in findings], check.source, in_background)

    def on_changed(sender, reference_ids, retracted_ids, **kwargs):
        heard["changed"] = (reference_ids, retracted_ids)

    evidence_found.connect(on_found, dispatch_uid="test-found")
    notices_changed.connect(on_changed, dispatch_uid="test-changed")
    try:
        run_check(full())
    finally:
        evidence_found.disconnect(dispatch_uid="test-found")
        notices_changed.disconnect(dispatch_uid="test-changed")
    assert sorted(heard["found"][0]) == ["correction", "retraction"]
    assert heard["found"][1:] == ("crossref-full", False)
    assert heard["changed"] == ([reference.pk], [reference.pk])


def test_incremental_sweep_pages_by_cursor_and_matches_case_insensitively(replay):
    """Notices since the last sweep, two pages by cursor; `update-to` DOIs in
    lower case match the library's DOIs as written."""
    reference, other = wakefield(), zhou()
    page = "/crossref/works"
    replay.script(
        page,
        Answer(200, (FIXTURES / "crossref-notices-page-1.json").read_bytes()),
        Answer(200, (FIXTURES / "crossref-notices-page-2.json").read_bytes()),
    )
    with time_machine.travel(datetime.datetime(2026, 3, 10, 2, 0, tzinfo=datetime.UTC)):
        report = run_check(Request("crossref-incremental"))
    sweeps = [seen for seen in replay.requests if seen.path == page]
    assert [seen.query["cursor"] for seen in sweeps] == [
        ["*"],
        ["DnF1ZXJ5VGhlbkZldGNoBgAAAAAA"],
    ]
    assert sweeps[0].query["filter"] == ["is-update:true,from-index-date:2026-03-08"]
    assert sweeps[0].query["mailto"] == ["lookups@example.org"]
    assert {(f.reference_id, f.kind) for f in report.findings} == {
        (reference.pk, "retraction"),
        (other.pk, "addendum"),
    }
    assert report.check.dataset.startswith("from-index-date:2026-03-08")


def test_next_sweep_starts_from_the_last(replay):
    """The next night asks from the day of the last successful sweep."""
    empty = (FIXTURES / "crossref-notices-page-2.json").read_bytes()
    replay.script("/crossref/works", Answer(200, empty), Answer(200, empty))
    with time_machine.travel(datetime.datetime(2026, 3, 10, 2, 0, tzinfo=datetime.UTC)):
        run_check(Request("crossref-incremental"))
    with time_machine.travel(datetime.datetime(2026, 3, 11, 2, 0, tzinfo=datetime.UTC)):
        run_check(Request("crossref-incremental"))
    assert replay.requests[-1].query["filter"] == [
        "is-update:true,from-index-date:2026-03-10"
    ]


def test_a_429_is_retried_after_its_retry_after(replay, settings):
    """A 429 with Retry-After: 1 is asked again after a second, and succeeds."""
    settings.HEALTH_LOOKUP = {**settings.HEALTH_LOOKUP, "BACKOFF": 5}
    wakefield()
    replay.script(WORK, Answer(429, b"slow down", headers={"Retry-After": "1"}))
    started = time.monotonic()
    report = run_check(full())
    assert time.monotonic() - started >= 1
    assert replay.hits(WORK) == 2
    assert report.check.result == EvidenceCheck.Result.OK


def test_a_dead_service_fails_the_check_and_applies_nothing(replay):
    """503 on every attempt: the check is recorded failed, nothing applied."""
    reference, other = zhou(), wakefield()
    replay.script(WORK, *[Answer(503, b"down")] * 3)
    with pytest.raises(CheckFailed):
        run_check(full())
    check = EvidenceCheck.objects.get()
    assert check.result == EvidenceCheck.Result.FAILED
    assert check.error.startswith("ServiceError")
    assert not EvidenceFinding.objects.exists()  # not even Zhou's, asked first
    assert set(Reference.objects.values_list("retraction_status", flat=True)) == {""}
    other.refresh_from_db()
    assert other.last_checked_at is None and reference.retraction_status == ""


def test_requests_keep_to_the_pace(replay, settings):
    """Four DOIs at 10 requests a second take at least 0.3 seconds."""
    settings.HEALTH_LOOKUP = {**settings.HEALTH_LOOKUP, "CROSSREF_RATE": 10}
    for n in range(4):
        Reference.objects.create(
            title=f"Paper {n}", year=2020, doi=f"10.5555/pace.{n}", citation_key=f"p{n}"
        )
    started = time.monotonic()
    run_check(full())
    assert time.monotonic() - started >= 0.3
    assert replay.hits("/crossref/works/10.5555/") == 4


def test_a_lower_stated_limit_slows_the_pacer():
    """An answer stating 2 requests a second lowers a pacer set to 5."""
    from references.lookup.pacing import Pacer

    pacer = Pacer(5)
    pacer.observe({"X-Rate-Limit-Limit": "2", "X-Rate-Limit-Interval": "1s"})
    assert pacer.rate == 2
    pacer.observe({"X-Rate-Limit-Limit": "50", "X-Rate-Limit-Interval": "1s"})
    assert pacer.rate == 2


def test_weekly_check_takes_a_seventh_a_day():
    """Each DOI is in exactly one day's slice, and the slices are even."""
    dois = [f"10.5555/bench.{n}" for n in range(7000)]
    counts = [0] * 7
    for doi in dois:
        counts[slice_of(doi)] += 1
    assert min(counts) > 850 and max(counts) < 1150
    assert slice_of("10.1000/ABC") == slice_of("10.1000/abc")
    days = {today_slice(datetime.date(2026, 3, d)) for d in range(1, 8)}
    assert days == set(range(7))


def test_notice_from_file(db):
    """A recorded notices page given as a file is matched without a request."""
    reference = wakefield()
    report = run_check(
        Request(
            "crossref-incremental", from_file=FIXTURES / "crossref-notices-page-1.json"
        )
    )
    assert [(f.reference_id, f.kind) for f in report.findings] == [
        (reference.pk, "retraction")
    ]
    assert report.check.dataset == "file crossref-notices-page-1.json"
    assert json.loads((FIXTURES / "crossref-notices-page-1.json").read_text())
