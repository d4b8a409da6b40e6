"""What a finding about a cited source does, by its kind: the table in
`settings.HEALTH_EVIDENCE_ACTIONS` (docs/configuration.md#evidence).

Plain functions over plain data: the receivers (articles/evidence_alerts.py),
the preflight and the page's notice all ask here, so one table decides.
"""

from django.conf import settings
from django.core.checks import Error, register
from django.utils.translation import gettext_lazy as _

RE_REVIEW = "re_review"
TELL_REVIEWER = "tell_reviewer"
TELL_EDITORS = "tell_editors"
BLOCK = "block"
READER_NOTICE = "reader_notice"
ACTIONS = {RE_REVIEW, TELL_REVIEWER, TELL_EDITORS, BLOCK, READER_NOTICE}

# How serious each kind is: when one source has several notices, the page's
# notice and the alert name the most serious.
SEVERITY = {
    "retraction": 9,
    "withdrawal": 8,
    "removal": 7,
    "partial_retraction": 6,
    "expression_of_concern": 5,
    "correction": 3,
    "erratum": 3,
    "addendum": 2,
    "other": 1,
}
# The words staff see for each kind ("Reference 3 was retracted").
KIND_PHRASES = {
    "retraction": _("was retracted"),
    "withdrawal": _("was withdrawn"),
    "removal": _("was removed"),
    "partial_retraction": _("was partly retracted"),
    "expression_of_concern": _("received an expression of concern"),
    "correction": _("was corrected"),
    "erratum": _("received an erratum"),
    "addendum": _("received an addendum"),
    "other": _("received a notice"),
}

BLOCKED_PHRASES = {
    "retraction": _("retracted"),
    "withdrawal": _("withdrawn"),
    "removal": _("removed"),
    "partial_retraction": _("partly retracted"),
}


def actions_for(kind: str) -> frozenset[str]:
    """The actions a finding of `kind` takes (none for a kind not listed)."""
    return frozenset(settings.HEALTH_EVIDENCE_ACTIONS.get(kind, ()))


def kinds_with(action: str) -> list[str]:
    """The kinds whose findings take `action`, sorted."""
    return sorted(
        kind
        for kind, actions in settings.HEALTH_EVIDENCE_ACTIONS.items()
        if action in actions
    )


def most_serious(kinds) -> str:
    return max(kinds, key=lambda kind: SEVERITY.get(kind, 0))


def phrase(kind: str) -> str:
    return str(KIND_PHRASES.get(kind, KIND_PHRASES["other"]))


def blocked_phrase(kind: str) -> str:
    """ "retracted", for "Reference 3 has been retracted"."""
    return str(BLOCKED_PHRASES.get(kind, kind.replace("_", " ")))


@register()
def check_evidence_actions(app_configs=None, **kwargs) -> list[Error]:
    """HEALTH_EVIDENCE_ACTIONS names only actions that exist."""
    errors = []
    table = getattr(settings, "HEALTH_EVIDENCE_ACTIONS", {})
    for kind, actions in table.items():
        unknown = set(actions) - ACTIONS
        if unknown:
            errors.append(
                Error(
                    f"HEALTH_EVIDENCE_ACTIONS[{kind!r}] names unknown action(s): "
                    + ", ".join(sorted(unknown)),
                    hint="Use " + ", ".join(sorted(ACTIONS)) + ".",
                    id="articles.E101",
                )
            )
    return errors
