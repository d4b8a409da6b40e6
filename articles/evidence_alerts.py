"""What a finding about a cited source does to the live pages citing it.

The evidence watchers (references/evidence/) record findings and send
`references.signals.evidence_found`; this answers it, as the table in
`settings.HEALTH_EVIDENCE_ACTIONS` says for each kind (articles/
evidence_policy.py): for every live article whose page cites the source, an
`EvidenceAlert` with the sentences that cite it; the article due for review
now and in its reviewer's queue; the reviewer and the editors told; and the
page prepared again with its reader's notice, and purged. Blocking a
republication is the preflight's (articles/preflight.py).

Alerts close when a full review goes live after them, when the live page no
longer cites the source, or when the article is withdrawn
(`close_answered_alerts`, called by the publication workflow).
"""

import logging

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone

from articles import notifications
from articles.claims import citing_sentences
from articles.delivery.prepared import refresh_evidence_notices
from articles.evidence_policy import (
    RE_REVIEW,
    READER_NOTICE,
    TELL_EDITORS,
    TELL_REVIEWER,
    actions_for,
)
from articles.models import Article, EvidenceAlert
from references.models import EvidenceFinding
from references.signals import NoticeReport, evidence_found, notices_changed

logger = logging.getLogger(__name__)


def live_articles_citing(reference_ids) -> list[int]:
    """The live articles whose page cites any of these references."""
    return list(
        Article.objects.live()
        .filter(live_revision__cited_references__in=list(reference_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


def raise_alert(article_id: int, finding: EvidenceFinding) -> EvidenceAlert | None:
    """Record what `finding` asks of one live article, and do it: due for
    review now, the reviewer and editors told. None when the article is not
    live, its page does not cite the source, or it was alerted already."""
    actions = actions_for(finding.kind)
    with transaction.atomic():
        article = (
            Article.objects.live()
            .select_for_update(of=("self",))
            .select_related("live_revision", "live_approval__reviewer")
            .filter(pk=article_id)
            .first()
        )
        if article is None:
            return None
        revision = article.live_revision
        number = next(
            (
                r["number"]
                for r in revision.cited
                if r.get("id") == finding.reference_id
            ),
            None,
        )
        if number is None:
            return None
        reviewer = article.live_approval.reviewer if article.live_approval else None
        alert, created = EvidenceAlert.objects.get_or_create(
            article=article,
            finding=finding,
            defaults={
                "revision": revision,
                "reference_id": finding.reference_id,
                "kind": finding.kind,
                "number": number,
                "sentences": citing_sentences(revision.body_html, number),
                "re_review": RE_REVIEW in actions,
                "reviewer": reviewer if reviewer and reviewer.is_active else None,
            },
        )
        if not created:
            return None
        alert.redated = False
        if RE_REVIEW in actions:
            today = timezone.localdate()
            if article.next_review_due is None or article.next_review_due > today:
                Article.objects.filter(pk=article.pk).update(next_review_due=today)
                alert.redated = True
        notifications.evidence_changed(
            alert,
            tell_reviewer=TELL_REVIEWER in actions,
            tell_editors=TELL_EDITORS in actions,
        )
    return alert


def act_on_findings(findings) -> NoticeReport:
    """Do what each finding's kind asks, for every live page citing its
    source; say what was done."""
    report = NoticeReport()
    repaint: set[int] = set()
    redated: set[int] = set()
    for finding in findings:
        actions = actions_for(finding.kind)
        if not actions:
            continue
        for article_id in live_articles_citing([finding.reference_id]):
            alert = raise_alert(article_id, finding)
            if alert is None:
                continue
            if READER_NOTICE in actions:
                repaint.add(article_id)
            if alert.redated:
                # The page shows its next review date: now today.
                redated.add(article_id)
            title = Article.objects.filter(pk=article_id).values_list(
                "title", flat=True
            )[0]
            line = f"“{title}”: reference {alert.number} ({finding.get_kind_display()})"
            if alert.re_review:
                report.warnings.append(f"RE-REVIEW NOW: {line}.")
            else:
                report.lines.append(f"Reviewer told: {line}.")
    # A page whose notice changed may have been prepared already, answering
    # `notices_changed`; one whose review date moved is prepared in any case.
    changed = refresh_evidence_notices(repaint - redated)
    changed += refresh_evidence_notices(redated, force=True)
    if changed:
        report.lines.append(f"{changed} live page(s) updated and purged.")
    return report


@receiver(evidence_found, dispatch_uid="articles.act_on_findings")
def on_evidence_found(sender, findings, check=None, in_background=False, **kwargs):
    """Answer the watchers: act on the new findings."""
    return act_on_findings(findings)


@receiver(notices_changed, dispatch_uid="articles.refresh_evidence_notices")
def on_notices_changed(sender, reference_ids, **kwargs) -> NoticeReport:
    """A reference's notices changed (an import, an edit): make the live pages
    citing it show the evidence state as it is now."""
    report = NoticeReport()
    changed = refresh_evidence_notices(live_articles_citing(reference_ids))
    if changed:
        report.lines.append(f"{changed} live page(s) show a changed notice.")
    return report


@receiver(post_delete, sender=EvidenceFinding, dispatch_uid="articles.finding_gone")
def on_finding_deleted(sender, instance, **kwargs) -> None:
    """A finding removed (a false match, put right): its notice goes, once
    the deletion commits."""
    reference_id = instance.reference_id
    transaction.on_commit(
        lambda: refresh_evidence_notices(live_articles_citing([reference_id]))
    )


def close_answered_alerts(article: Article, approval=None) -> int:
    """Close the article's open alerts that the page now live answers: all of
    them after a withdrawal (no `approval`); after a publication, those whose
    source the live revision no longer cites, and, with a full review, those
    raised before the approval."""
    alerts = EvidenceAlert.objects.open().filter(article=article)
    if approval is not None:
        cited = {r.get("id") for r in approval.revision.cited}
        stale = alerts.exclude(reference_id__in=[pk for pk in cited if pk])
        if approval.full_review:
            stale = stale | alerts.filter(created_at__lt=approval.created_at)
        alerts = stale
    return alerts.update(closed_at=timezone.now())
