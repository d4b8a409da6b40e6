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


@dataclass
class NoticeReport:
    """What a receiver did, for the person running the command: lines of
    news, and warnings that need someone's attention."""

    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
