"""Classifying an update of a live page, and the corrections readers see.

The writer says what kind of change an update is (a correction, with its note
to readers; an update; a minor change) when saving it, and must have said so
before submitting it. The class and the note are part of the revision's
reviewed content and hash, so the reviewer confirms the class when approving;
one who disagrees sends the update back. When a correction goes live, it
gets a public record (`Correction`) for the site's list and feed.
"""

from django.utils.translation import gettext as _

from articles.models import (
    CORRECTION_NOTE_LIMIT,
    Article,
    ChangeClass,
    Correction,
    Review,
    Revision,
)
from articles.text import single_line
from articles.workflow.steps import require

NAMES = dict(ChangeClass.choices)


def classification(
    locked: Article, change_class: str | None, correction_note: str | None
) -> tuple[str, str]:
    """The class and note a new revision carries, checked. None for both
    keeps those of the pending revision (a revision saved by the system, as
    after a reference edit); a revision that is live has nothing pending."""
    if change_class is None and correction_note is None:
        pending = locked.current_revision
        if pending is None or pending.pk == locked.live_revision_id:
            return "", ""
        return pending.change_class, pending.correction_note
    change_class = change_class or ""
    note = single_line(correction_note or "")
    require(
        change_class in {"", *ChangeClass.values},
        _("“%(value)s” is not a kind of change.") % {"value": change_class},
    )
    if change_class == ChangeClass.CORRECTION:
        require(
            bool(note),
            _(
                "A correction needs a note for readers, e.g. “We previously "
                "said X. The correct figure is Y.”"
            ),
        )
        require(
            len(note) <= CORRECTION_NOTE_LIMIT,
            _("Keep the correction note under %(limit)d characters.")
            % {"limit": CORRECTION_NOTE_LIMIT},
        )
    else:
        require(
            not note,
            _(
                "Only a correction has a note for readers: choose “Correction”, "
                "or clear the note."
            ),
        )
    return change_class, note


def hashed_fields(change_class: str, correction_note: str) -> dict:
    """What the content hash includes of the class: nothing when unset, so
    the hashes of revisions from before classes stay as they were."""
    fields = {}
    if change_class:
        fields["change_class"] = change_class
    if correction_note:
        fields["correction_note"] = correction_note
    return fields


def require_class(locked: Article, revision: Revision) -> None:
    """An update of a live page must say what kind of change it is."""
    require(
        not locked.is_live or bool(revision.change_class),
        _(
            "This article is live: say what kind of change this update is "
            "(a correction, with its note for readers; an update; or a minor "
            "change) in “Kind of change”, save, then submit."
        ),
    )


def require_confirmed(locked: Article, revision: Revision, confirmed) -> None:
    """The reviewer confirms the class the writer gave: the class and its
    note are part of the reviewed text, so a wrong one is sent back."""
    given = revision.change_class
    if not given:
        require(
            not locked.is_live,
            _(
                "This update of a live page has no kind of change: request "
                "changes so that the writer classifies it."
            ),
        )
        require(
            not confirmed,
            _("This revision has no kind of change to confirm; leave it empty."),
        )
        return
    require(
        bool(confirmed),
        _(
            "Confirm the kind of change to approve: the writer classified "
            "this update as “%(given)s”."
        )
        % {"given": NAMES[given]},
    )
    require(
        confirmed == given,
        _(
            "The writer classified this update as “%(given)s”, not "
            "“%(confirmed)s”. The kind of change is part of the reviewed text: "
            "request changes and say which it should be."
        )
        % {"given": NAMES[given], "confirmed": NAMES.get(confirmed, confirmed)},
    )


def moves_last_reviewed(approval: Review) -> bool:
    """A full review moves "last reviewed", and so does an update: its new
    content was reviewed."""
    return approval.full_review or approval.revision.change_class == ChangeClass.UPDATE


def record(locked: Article, approval: Review, now) -> dict:
    """What a publication's history entry says of its class; a correction
    going live for the first time gets its public record."""
    revision = approval.revision
    if revision.is_correction:
        Correction.objects.get_or_create(
            revision=revision,
            defaults={
                "article": locked,
                "note": revision.correction_note,
                "published_at": now,
            },
        )
    return {
        "change_class": revision.change_class,
        "correction_note": revision.correction_note,
    }
