import pytest
from django.db import IntegrityError, transaction

from articles.models import Article, AuditEntry, Review
from articles.preflight import checklist
from articles.workflow import WorkflowError
from tests.conftest import create_article, make_user

Status = Article.Status


def test_saving_creates_a_revision_with_rendered_html(article):
    """The first save snapshots the content with sanitized HTML and a hash."""
    revision = article.current_revision
    assert revision.number == 1
    assert '<sup class="citation">' in revision.body_html
    assert len(revision.content_hash) == 64
    assert revision.cited[0]["key"] == "najmabadi2021"


def test_saving_unchanged_content_creates_no_revision(article, writer):
    """A save without content changes keeps the same revision."""
    assert article.save_revision(by=writer) is None
    assert article.revisions.count() == 1


def test_writer_submits_own_article(article, writer):
    """An author can submit a draft that passes the preflight checks."""
    article.submit_for_review(by=writer)
    article.refresh_from_db()
    assert article.status == Status.IN_REVIEW
    assert AuditEntry.objects.filter(article=article, action="submit").exists()


def test_other_writer_cannot_submit(article, other_writer):
    """A writer who is not an author cannot submit someone else's article."""
    with pytest.raises(WorkflowError, match="author"):
        article.submit_for_review(by=other_writer)
    article.refresh_from_db()
    assert article.status == Status.DRAFT


def test_submit_refuses_article_without_citation(writer, reference):
    """Preflight blocks submission of an article that cites nothing."""
    article = create_article(writer, body="Claims without any source.")
    with pytest.raises(WorkflowError, match="cites no source"):
        article.submit_for_review(by=writer)


def test_submit_refuses_an_article_without_a_topic(article, writer, reviewer, editor):
    """A topic gives the article its breadcrumb and its place in the lists:
    without one it cannot be submitted, and the checklist says so."""
    article.topics.clear()
    article.save_revision(by=writer)
    with pytest.raises(WorkflowError, match="no topic"):
        article.submit_for_review(by=writer)
    item = {c["code"]: c for c in checklist(article, article.current_revision)}
    assert not item["topic"]["passed"] and item["topic"]["blocking"]


def test_submit_refuses_unresolved_citation(writer, reference):
    """Preflight names an unknown citation key with its position."""
    article = create_article(writer, body="Text.\n\nClaim [@nobody1999].")
    with pytest.raises(WorkflowError, match=r"@nobody1999 at line 3, column 8"):
        article.submit_for_review(by=writer)


def test_submit_twice_is_refused(article, writer):
    """An article already in review cannot be submitted again."""
    article.submit_for_review(by=writer)
    with pytest.raises(WorkflowError, match="Only a draft"):
        article.submit_for_review(by=writer)


def test_reviewer_approves(article, writer, reviewer):
    """A credentialed reviewer approves, binding to the revision's hash."""
    article.submit_for_review(by=writer)
    review = article.approve(by=reviewer, comment="Good.")
    article.refresh_from_db()
    assert article.status == Status.APPROVED
    assert article.approval == review
    assert review.content_hash == article.current_revision.content_hash
    assert review.reviewer_credentials == "MD, FACOG"


def test_approve_requires_review_state(article, reviewer):
    """A draft that was never submitted cannot be approved."""
    with pytest.raises(WorkflowError, match="Only an article in review"):
        article.approve(by=reviewer)


def test_self_approval_is_refused(reviewer, reference):
    """A reviewer cannot approve an article they wrote."""
    reviewer.groups.add(*make_user("w2", "Writers").groups.all())
    article = create_article(reviewer)
    article.submit_for_review(by=reviewer)
    with pytest.raises(WorkflowError, match="You are an author"):
        article.approve(by=reviewer)
    assert not Review.objects.exists()


def test_reviewer_who_edited_since_last_approval_cannot_approve(
    article, writer, reviewer, editor
):
    """Editing the article makes the reviewer ineligible until another approval."""
    reviewer.user_permissions.add(
        *editor.groups.get().permissions.filter(codename="change_article")
    )
    article.body += " More [@najmabadi2021]."
    article.save_revision(by=reviewer)
    article.submit_for_review(by=writer)
    with pytest.raises(WorkflowError, match="You edited this article"):
        article.approve(by=reviewer)


def test_approval_without_credentials_is_refused(
    article, writer, uncredentialed_reviewer
):
    """A reviewer without credentials on their profile cannot approve."""
    article.submit_for_review(by=writer)
    with pytest.raises(WorkflowError, match="credentials"):
        article.approve(by=uncredentialed_reviewer)


def test_writer_cannot_approve(article, writer, other_writer):
    """Approval needs the review permission."""
    article.submit_for_review(by=writer)
    with pytest.raises(WorkflowError, match="Only medical reviewers"):
        article.approve(by=other_writer)


def test_request_changes_needs_a_comment(article, writer, reviewer):
    """Sending back without saying why is refused."""
    article.submit_for_review(by=writer)
    with pytest.raises(WorkflowError, match="comment is required"):
        article.request_changes(by=reviewer, comment="  ")


def test_request_changes_returns_article_to_authors(article, writer, reviewer):
    """Changes requested records the comment and lets the writer resubmit."""
    article.submit_for_review(by=writer)
    review = article.request_changes(by=reviewer, comment="Cite the trial.")
    article.refresh_from_db()
    assert article.status == Status.CHANGES_REQUESTED
    assert review.comment == "Cite the trial."
    article.submit_for_review(by=writer)
    assert article.status == Status.IN_REVIEW


def test_editor_publishes_approved_revision(approved_article, editor):
    """Publishing puts exactly the approved revision online."""
    approved_article.publish(by=editor)
    approved_article.refresh_from_db()
    assert approved_article.status == Status.PUBLISHED
    assert approved_article.live_revision == approved_article.approval.revision
    assert approved_article.first_published_at is not None
    assert approved_article.last_reviewed is not None


def test_publish_unapproved_is_refused(article, editor):
    """A draft cannot be published."""
    with pytest.raises(WorkflowError, match="Only an approved revision"):
        article.publish(by=editor)
    article.refresh_from_db()
    assert article.live_revision is None


def test_writer_cannot_publish(approved_article, writer):
    """Publishing needs the publish permission."""
    with pytest.raises(WorkflowError, match="Only editors"):
        approved_article.publish(by=writer)


def test_edit_voids_approval(approved_article, writer):
    """A content change after approval voids it and logs that."""
    approved_article.body = "Changed claim [@najmabadi2021]."
    approved_article.save_revision(by=writer)
    approved_article.refresh_from_db()
    assert approved_article.status == Status.DRAFT
    assert approved_article.approval is None
    assert AuditEntry.objects.filter(
        article=approved_article, action="approval_voided"
    ).exists()


def test_stale_approval_cannot_be_published(approved_article, writer, editor):
    """After an edit, publish refuses because nothing current is approved."""
    approved_article.title = "A new title"
    approved_article.save_revision(by=writer)
    with pytest.raises(WorkflowError, match="Only an approved revision"):
        approved_article.publish(by=editor)


def test_stale_hash_is_refused_even_if_status_says_approved(
    approved_article, writer, editor
):
    """publish() checks the hash, not only the status field."""
    approved_article.body = "Other [@najmabadi2021]."
    revision = approved_article.save_revision(by=writer)
    # Simulate a status left behind by a bug: approved, with the old approval.
    old_approval = Review.objects.get(decision="approved")
    Article.objects.filter(pk=approved_article.pk).update(
        status=Status.APPROVED, approval=old_approval
    )
    approved_article.refresh_from_db()
    assert approved_article.current_revision == revision
    with pytest.raises(WorkflowError, match="no longer matches"):
        approved_article.publish(by=editor)


def test_live_revision_unchanged_while_update_in_review(live_article, writer):
    """Readers keep the live revision while an update is written and reviewed."""
    live = live_article.live_revision
    live_article.body = "Updated text [@najmabadi2021]."
    live_article.save_revision(by=writer, change_class="update")
    live_article.submit_for_review(by=writer)
    live_article.refresh_from_db()
    assert live_article.live_revision == live
    assert live_article.status == Status.IN_REVIEW
    assert live_article.has_unpublished_changes


def test_update_goes_live_after_approval(live_article, writer, reviewer, editor):
    """An approved update replaces the live revision when published."""
    live_article.body = "Updated text [@najmabadi2021]."
    update = live_article.save_revision(by=writer, change_class="update")
    live_article.submit_for_review(by=writer)
    live_article.approve(by=reviewer, full_review=False, change_class="update")
    live_article.publish(by=editor)
    live_article.refresh_from_db()
    assert live_article.live_revision == update


def test_minor_review_keeps_last_reviewed(live_article, writer, reviewer, editor):
    """A change-only review does not move the last-reviewed date."""
    Article.objects.filter(pk=live_article.pk).update(last_reviewed="2024-01-02")
    live_article.refresh_from_db()
    live_article.body = "Typo fixed [@najmabadi2021]."
    live_article.save_revision(by=writer, change_class="minor")
    live_article.submit_for_review(by=writer)
    live_article.approve(by=reviewer, full_review=False, change_class="minor")
    live_article.publish(by=editor)
    live_article.refresh_from_db()
    assert str(live_article.last_reviewed) == "2024-01-02"


def test_unpublish_withdraws(live_article, editor):
    """Withdrawing clears the live pointer and records the reason."""
    live_article.unpublish(by=editor, reason="Guidance changed.")
    live_article.refresh_from_db()
    assert live_article.live_revision is None
    assert live_article.status == Status.WITHDRAWN
    assert live_article.withdrawal_reason == "Guidance changed."


def test_unpublish_needs_reason(live_article, editor):
    """A withdrawal without a reason is refused."""
    with pytest.raises(WorkflowError, match="reason"):
        live_article.unpublish(by=editor, reason="")


def test_unpublish_not_live_is_refused(article, editor):
    """Only a live article can be withdrawn."""
    with pytest.raises(WorkflowError, match="not live"):
        article.unpublish(by=editor, reason="x")


def test_writer_cannot_unpublish(live_article, writer):
    """Withdrawal needs the publish permission."""
    with pytest.raises(WorkflowError, match="Only editors"):
        live_article.unpublish(by=writer, reason="Mine")


def test_every_transition_is_audited(live_article):
    """The audit log has one entry per transition, in order."""
    actions = list(
        AuditEntry.objects.filter(article=live_article)
        .order_by("created_at", "id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "submit", "approve", "publish"]


# The database backs the rule ------------------------------------------------


def test_model_save_cannot_make_revision_live(article):
    """Setting live_revision and calling save() is refused."""
    article.live_revision = article.current_revision
    with pytest.raises(WorkflowError, match="publish"):
        article.save()


def test_queryset_update_cannot_make_unapproved_revision_live(article, writer):
    """The database refuses a live pointer without an approval."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(
            live_revision=article.current_revision
        )


def test_queryset_update_cannot_point_at_changes_requested_review(
    article, writer, reviewer
):
    """The live pointer must name an approval, not any review."""
    article.submit_for_review(by=writer)
    review = article.request_changes(by=reviewer, comment="No.")
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=article.pk).update(
            live_revision=article.current_revision, live_approval=review
        )


def test_queryset_update_cannot_pair_approval_with_other_revision(
    approved_article, writer
):
    """An approval of revision 1 cannot put revision 2 online."""
    approved_article.body = "Unreviewed [@najmabadi2021]."
    unreviewed = approved_article.save_revision(by=writer)
    approval = Review.objects.get(decision="approved")
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.filter(pk=approved_article.pk).update(
            live_revision=unreviewed, live_approval=approval
        )


def test_database_refuses_approval_by_author(article, writer):
    """An approval row naming the revision's author cannot be inserted."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(
            revision=article.current_revision,
            reviewer=writer,
            decision="approved",
            content_hash=article.current_revision.content_hash,
            reviewer_name="Wendy",
            reviewer_credentials="MD",
        )


def test_database_refuses_approval_with_wrong_hash(article, reviewer):
    """An approval must carry the hash of the revision it approves."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(
            revision=article.current_revision,
            reviewer=reviewer,
            decision="approved",
            content_hash="0" * 64,
            reviewer_name="Rhea",
            reviewer_credentials="MD",
        )


def test_revisions_are_immutable_in_the_database(article):
    """A queryset update on a revision is refused by the database."""
    with pytest.raises(IntegrityError), transaction.atomic():
        type(article.current_revision).objects.filter(
            pk=article.current_revision_id
        ).update(body="tampered")


def test_audit_log_is_append_only(live_article):
    """Audit entries cannot be updated."""
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.update(message="rewritten")
