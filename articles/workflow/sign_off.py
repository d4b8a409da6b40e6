"""How a sign-off records its proof: who signed, and how they proved it.

Approving, deciding, publishing, scheduling, withdrawing and restoring take a
`proof` (siteconf.mfa.state.Proof). The desk passes the session's fresh
second-factor check, or None when it is too old (refused here); scripts leave
the default, which records "no second factor (workflow API)".
"""

from django.utils.translation import gettext as _

from articles.models import Article, AuditEntry, Review
from articles.workflow.steps import require
from siteconf.mfa.state import Method, Proof


def require_proof(proof: Proof | None) -> Proof:
    """A sign-off records how its maker proved who they were; the desk passes
    None when the session's check is missing or too old."""
    require(
        proof is not None and bool(proof.method),
        _("Confirm it's you with your second factor first."),
    )
    return proof


def approval_note(approval: Review) -> str:
    """What the publication's history says about an approval made by a script."""
    if approval.proof_method == Method.SCRIPT:
        return _(
            "The approval was made through the workflow API, with no second factor."
        )
    return ""


def scheduling_proof(locked: Article, by) -> Proof | None:
    """The proof given when the schedule now carried out was set."""
    entry = (
        AuditEntry.objects.filter(
            article_id=locked.pk, action=AuditEntry.Action.SCHEDULE, actor=by
        )
        .exclude(proof_method="")
        .order_by("-created_at", "-id")
        .first()
    )
    return entry.proof if entry is not None else None
