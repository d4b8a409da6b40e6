"""A live page's update history, as readers see it, from the article's
`publication_history` (one entry a publication, newest first)."""

import datetime

from django.utils.translation import gettext as _

from articles.models.revision import ChangeClass


def update_history(publication_history: list[dict]) -> list[dict]:
    """Published versions, newest first: the date, what changed, whether it
    had a full clinical review, and its class and correction note if any."""
    entries = []
    count = len(publication_history)
    for index, entry in enumerate(publication_history):
        first = index == count - 1
        entries.append(
            {
                "date": datetime.datetime.fromisoformat(entry["date"]),
                "note": _("First published") if first else entry["note"],
                "full_review": entry["full_review"],
                "change_class": "" if first else entry.get("change_class", ""),
                "correction_note": entry.get("correction_note", ""),
            }
        )
    return entries


def current_corrections(history: list[dict]) -> list[dict]:
    """The corrections the top of the page shows: those published since the
    last update that was not a correction, newest first. A minor change
    after a correction leaves it shown; an update (its content reviewed again)
    or a first publication ends the run."""
    shown = []
    for entry in history:
        if entry["change_class"] == ChangeClass.CORRECTION:
            shown.append(entry)
        elif entry["change_class"] != ChangeClass.MINOR:
            break
    return shown
