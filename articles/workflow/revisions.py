"""Saving the working copy as a revision, and restoring an old one."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from articles import notifications
from articles.models import (
    CONTENT_FIELDS,
    SINGLE_LINE_FIELDS,
    Article,
    AuditEntry,
    Revision,
    compute_content_hash,
)
from articles.rendering import reference_list_html, render
from articles.text import normalize_single_line, single_line
from articles.workflow import corrections
from articles.workflow.sign_off import require_proof
from articles.workflow.steps import Status, lock, log, require, save_state
from siteconf.mfa.state import SCRIPT, Proof


def snapshot(
    article: Article, change_class: str = "", correction_note: str = ""
) -> dict:
    """Everything readers would see of the working copy, rendered, with its hash.

    Besides the text fields: the bylines (names and credentials as they stand
    now), the topics and the review interval, so that changing any of them
    makes a new revision that needs review; and the kind of change with a
    correction's note, when set (articles/workflow/corrections.py).
    """
    content = {name: str(getattr(article, name) or "") for name in CONTENT_FIELDS}
    authors = list(article.authors.all()) if article.pk else []
    topics = list(article.topics.all()) if article.pk else []
    bylines = [author.as_byline() for author in authors]
    topic_list = [{"id": t.pk, "name": t.name, "slug": t.slug} for t in topics]
    interval = article.review_interval_months or None
    rendered = render(article.body)
    hashed = {
        **content,
        "authors": bylines,
        "topics": topic_list,
        "review_interval_months": interval,
        **corrections.hashed_fields(change_class, correction_note),
    }
    return {
        "content": content,
        "bylines": bylines,
        "topic_list": topic_list,
        "authors": authors,
        "topics": topics,
        "review_interval_months": interval,
        "rendered": rendered,
        "content_hash": compute_content_hash(hashed, rendered.references),
    }


def save_revision(
    article: Article,
    by,
    note: str = "",
    change_class: str | None = None,
    correction_note: str | None = None,
) -> Revision | None:
    """Snapshot the working copy as a new revision if what readers would see
    changed; `change_class` and `correction_note` classify an update of a
    live page (None for both: those of the pending revision)."""
    content = {name: getattr(article, name) for name in CONTENT_FIELDS}
    content["review_interval_months"] = article.review_interval_months
    with transaction.atomic():
        locked = lock(article)
        for name, value in content.items():
            setattr(locked, name, value)
            setattr(article, name, value)
        normalize_single_line(locked, SINGLE_LINE_FIELDS)
        for name in SINGLE_LINE_FIELDS:
            setattr(article, name, getattr(locked, name))
        change_class, correction_note = corrections.classification(
            locked, change_class, correction_note
        )
        snap = snapshot(locked, change_class, correction_note)
        require(not snap["rendered"].too_large, snap["rendered"].too_large or "")
        current = locked.current_revision
        if current is not None and current.content_hash == snap["content_hash"]:
            return None
        number = (locked.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
        rendered = snap["rendered"]
        revision = Revision.objects.create(
            article=locked,
            number=number,
            **snap["content"],
            review_interval_months=snap["review_interval_months"],
            bylines=snap["bylines"],
            topic_list=snap["topic_list"],
            body_html=rendered.html,
            toc=rendered.toc,
            cited=rendered.references,
            references_html=reference_list_html(rendered.references),
            content_hash=snap["content_hash"],
            created_by=by,
            change_note=single_line(note)[:300],
            change_class=change_class,
            correction_note=correction_note,
        )
        locked.save(update_fields=[*CONTENT_FIELDS, "review_interval_months"])
        revision.authors.set(snap["authors"])
        revision.topics.set(snap["topics"])
        revision.cited_references.set(rendered.reference_objects)
        locked.references.add(*rendered.reference_objects)
        previous = locked.status
        locked.current_revision = revision
        if previous == Status.APPROVED:
            scheduled = locked.publish_at is not None
            locked.approval = None
            locked.status = Status.DRAFT
            locked.publish_at = None
            locked.scheduled_approval = None
            save_state(
                locked,
                article,
                "current_revision",
                "approval",
                "status",
                "publish_at",
                "scheduled_approval",
            )
            message = _("Revision %(number)s changed the approved content.") % {
                "number": number
            }
            if scheduled:
                message += " " + _("The scheduled go-live was cancelled.")
            log(
                locked,
                by,
                AuditEntry.Action.APPROVAL_VOIDED,
                previous,
                message,
                revision,
            )
        elif previous == Status.IN_REVIEW:
            locked.status = Status.DRAFT
            save_state(locked, article, "current_revision", "status")
            log(
                locked,
                by,
                AuditEntry.Action.REVIEW_VOIDED,
                previous,
                _("Revision %(number)s changed the content under review; submit again.")
                % {"number": number},
                revision,
            )
            notifications.review_withdrawn(locked, by)
        elif previous in {Status.PUBLISHED, Status.WITHDRAWN}:
            locked.status = Status.DRAFT
            save_state(locked, article, "current_revision", "status")
        else:
            save_state(locked, article, "current_revision")
        if current is None:
            log(locked, by, AuditEntry.Action.CREATE, "", revision=revision)
        return revision


def restore(
    article: Article, number: int, by, note: str = "", proof: Proof | None = SCRIPT
) -> Revision:
    """Copy an old revision into the working copy as a new draft revision;
    `note` (why) goes into its change note and the audit entry. `proof` is
    how the restorer proved who they were (scripts: no second factor)."""
    why = single_line(note).strip()
    with transaction.atomic():
        locked = lock(article)
        require(locked.can_edit(by), _("You cannot edit this article."))
        require_proof(proof)
        old = locked.revisions.filter(number=number).first()
        require(old is not None, _("There is no revision %(n)s.") % {"n": number})
        fields = [*CONTENT_FIELDS, "review_interval_months"]
        for name in fields:
            setattr(article, name, getattr(old, name))
        article.edit_version = locked.edit_version + 1
        article.last_edited_by = by
        article.last_edited_at = timezone.now()
        Article.objects.filter(pk=locked.pk).update(
            **{name: getattr(old, name) for name in fields},
            edit_version=article.edit_version,
            last_edited_by=by,
            last_edited_at=article.last_edited_at,
        )
        # Bylines and topics come back too (those whose profile still exists).
        article.authors.set(old.authors.all())
        article.topics.set(old.topics.all())
        restored = _("Restored from revision %(n)s") % {"n": number}
        revision = save_revision(
            article, by=by, note=f"{restored}: {why}" if why else restored
        )
        require(
            revision is not None,
            _("Revision %(n)s has the same content as the working copy.")
            % {"n": number},
        )
        article.refresh_from_db()
        log(
            article,
            by,
            AuditEntry.Action.RESTORE,
            article.status,
            " ".join(
                part
                for part in (
                    _("Restored revision %(n)s as revision %(new)s.")
                    % {"n": number, "new": revision.number},
                    why,
                )
                if part
            ),
            revision,
            proof=proof,
        )
        return revision
