"""The Retraction Watch CSV, read daily as a diff by Record ID.

The file's SHA-256 is kept on the check: the same file twice is read once.
Each row's fields are kept as a digest per Record ID (RetractionWatchRecord),
so only new and changed records are applied. Bytes that are not UTF-8 are
read as U+FFFD, and the lines holding them are reported.
"""

import hashlib
import io

from references import identifiers
from references.evidence.checks import (
    FROM_FILE,
    Outcome,
    Request,
    last_success,
    library_dois,
    library_pmids,
)
from references.evidence.notices import Finding
from references.lookup.client import config, get
from references.lookup.connection import Deadline
from references.models import RetractionWatchRecord
from references.retractions import RetractionNotice, iter_notices

SHOWN_LINES = 20


def bad_byte_lines(data: bytes) -> list[int]:
    """The line numbers (from 1) holding bytes that are not valid UTF-8."""
    try:
        data.decode("utf-8")
        return []
    except UnicodeDecodeError:
        pass
    bad = []
    for number, line in enumerate(data.split(b"\n"), 1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(number)
    return bad


def record_digest(notice: RetractionNotice) -> str:
    """What a record says, as a digest: a change to any field changes it."""
    fields = (
        notice.record_id,
        notice.original_doi.lower(),
        notice.original_pmid,
        notice.nature,
        notice.notice_doi.lower(),
        notice.date.isoformat() if notice.date else "",
        notice.reason,
        notice.title,
    )
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


def finding_of(notice: RetractionNotice) -> Finding:
    return Finding(
        kind=notice.nature,
        work_doi=notice.original_doi,
        work_pmid=notice.original_pmid,
        notice_doi=notice.notice_doi,
        date=notice.date,
        label=notice.title[:200],
        provenance="retraction-watch",
        record_id=notice.record_id[:20],
        reason=notice.reason,
    )


def download() -> bytes:
    """Today's file, from RETRACTION_WATCH_URL."""
    response = get(
        config("RETRACTION_WATCH_URL"),
        accept="text/csv, */*",
        service="Retraction Watch",
        deadline=Deadline(float(config("RETRACTION_WATCH_DEADLINE"))),
        cached=False,
        max_bytes=int(config("RETRACTION_WATCH_MAX_BYTES")),
    )
    return response.body


def check_csv(request: Request) -> Outcome:
    """Apply the records that are new or changed since the last file.

    For one reference, every record is matched against it, and the records
    are not marked seen (the rest of the library has not had them yet).
    """
    data = request.from_file.read_bytes() if request.from_file else download()
    digest = hashlib.sha256(data).hexdigest()
    dataset = f"sha256:{digest}"
    if request.from_file is not None:
        dataset = f"{FROM_FILE}{request.from_file.name} {dataset}"
    outcome = Outcome(dataset=dataset)
    bad = bad_byte_lines(data)
    if bad:
        shown = ", ".join(str(n) for n in bad[:SHOWN_LINES])
        more = f" and {len(bad) - SHOWN_LINES} more" if len(bad) > SHOWN_LINES else ""
        outcome.notes.append(f"Invalid UTF-8 on line(s) {shown}{more}; read as U+FFFD.")
    dois = library_dois(request)
    pmids = library_pmids(request)
    whole_library = request.reference is None
    outcome.checked = sorted(set(dois.values()) | set(pmids.values()))
    last = last_success("csv")
    if whole_library and last is not None and last.dataset.endswith(dataset):
        outcome.notes.append("The same file as the last check: nothing to apply.")
        return outcome
    seen = (
        dict(RetractionWatchRecord.objects.values_list("record_id", "digest"))
        if whole_library
        else {}
    )
    fresh: dict[str, str] = {}
    rows = told = 0
    request.expect(len(data))
    stream = io.BytesIO(data)
    for notice in iter_notices(stream):
        rows += 1
        if rows % 500 == 0:
            request.advance(stream.tell() - told)
            told = stream.tell()
        if not notice.record_id:
            continue
        row_digest = record_digest(notice)
        if seen.get(notice.record_id) == row_digest:
            continue
        fresh[notice.record_id] = row_digest
        matched = {
            dois.get(identifiers.doi_key(notice.original_doi)),
            pmids.get(notice.original_pmid),
        } - {None}
        for reference_id in matched:
            outcome.matches.append((reference_id, finding_of(notice)))
    request.advance(len(data) - told)
    outcome.notes.append(
        f"{rows} record(s) read; {len(fresh)} new or changed since the last file."
    )
    if whole_library:
        outcome.apply = lambda now: _remember(fresh, seen, now)
    return outcome


def _remember(fresh: dict[str, str], seen: dict[str, str], now) -> None:
    new = [
        RetractionWatchRecord(record_id=record, digest=digest, seen_at=now)
        for record, digest in fresh.items()
        if record not in seen
    ]
    changed = [
        RetractionWatchRecord(record_id=record, digest=digest, seen_at=now)
        for record, digest in fresh.items()
        if record in seen
    ]
    RetractionWatchRecord.objects.bulk_create(new, batch_size=2000)
    RetractionWatchRecord.objects.bulk_update(
        changed, ["digest", "seen_at"], batch_size=2000
    )
