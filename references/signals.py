"""What the reference library tells the apps that cite it.

The library knows nothing of articles: when retraction notices change, it
sends `notices_changed`, and whoever cites references (articles/
retraction_checks.py) re-checks its texts and answers with a `NoticeReport`
for the command to print.
"""

from dataclasses import dataclass, field

from django.dispatch import Signal

# Sent with:
# - reference_ids: the references whose notice changed, to re-check;
# - retracted_ids: those newly retracted, or None for every retracted one;
# - progress: a callable given how many references are done, or None;
# - in_background: queue the re-check for a worker instead of running it.
notices_changed = Signal()

# Sent by the evidence watchers (references/evidence/) after they record new
# findings, once the findings are saved (after the transaction commits), with:
# - findings: a list of the new `references.models.EvidenceFinding` rows, each
#   with its `reference` (select_related), `kind` (EvidenceFinding.Kind: one
#   of retraction, withdrawal, removal, expression_of_concern,
#   partial_retraction, correction, erratum, addendum, other), `notice_date`,
#   `notice_doi`, `notice_url`, `source`, `record_id` and `found_at`;
# - check: the `references.models.EvidenceCheck` that found them (or None);
# - in_background: True when a task sent it (receivers may do slow work
#   inline), False when a person runs `check_evidence` and waits.
# A finding is sent once: the next run that sees the same notice records
# nothing new. Receivers answer with a NoticeReport (or None).
evidence_found = Signal()


@dataclass
class NoticeReport:
    """What a receiver did, for the person running the command: lines of
    news, and warnings that need someone's attention."""

    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
