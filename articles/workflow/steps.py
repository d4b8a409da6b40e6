"""The steps every transition shares: lock the row, require, save, log."""

from articles.models import Article, AuditEntry, Revision, WorkflowError
from articles.preflight import run_checks
from siteconf.mfa.state import Proof

Status = Article.Status


def lock(article: Article) -> Article:
    """Re-read the article under a row lock and refresh the caller's copy."""
    locked = Article.objects.select_for_update().get(pk=article.pk)
    for field in Article._meta.concrete_fields:
        setattr(article, field.attname, getattr(locked, field.attname))
    article._stored_live = (locked.live_revision_id, locked.live_approval_id)
    return locked


def log(
    article,
    actor,
    action,
    from_status,
    message="",
    revision=None,
    proof: Proof | None = None,
) -> None:
    """Append to the audit log; a sign-off passes the `proof` its actor gave."""
    AuditEntry.objects.create(
        **AuditEntry.proof_fields(proof),
        article_id=article.pk,
        revision_id=revision.pk if revision else article.current_revision_id,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=article.status,
        message=message,
    )


def save_state(locked: Article, article: Article, *fields: str) -> None:
    locked.save(update_fields=[*fields, "updated_at"])
    for name in (*fields, "updated_at"):
        field = Article._meta.get_field(name)
        setattr(article, field.attname, getattr(locked, field.attname))
    article._stored_live = locked._stored_live


def require(condition: bool, message: str) -> None:
    if not condition:
        raise WorkflowError(message)


def preflight_blockers(article: Article, revision: Revision) -> list[str]:
    return [c.message for c in run_checks(article, revision) if c.blocking]
