"""Step-up at sign-off, and the proof each approval and audit entry records."""

import datetime

import django_otp
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from articles.models import Article, AuditEntry, Contributor, PreviewLink, Review
from articles.workflow import WorkflowError, run_due_schedules
from siteconf.mfa import state
from siteconf.mfa.step_up import STEP_UP_FIELD
from tests.conftest import APPROVAL

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
STALE = START + datetime.timedelta(minutes=11)


def sign_in(client, user, at=None):
    """Log `user` in with a verified, fresh TOTP check; return the device."""
    device = TOTPDevice.objects.filter(user=user).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    client.force_login(user)
    session = client.session
    session[django_otp.DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[state.VERIFIED_AT] = (at or timezone.now()).isoformat()
    session[state.METHOD] = state.Method.TOTP
    session[state.DEVICE] = device.name
    session.save()
    return device


def code_for(device) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def decision(**fields):
    return {"decision": "approve", "comment": "Accurate.", **APPROVAL, **fields}


def review_url(article):
    return reverse("admin:articles_article_review", args=[article.pk])


@pytest.fixture
def in_review(article, writer):
    article.submit_for_review(by=writer)
    return article


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_desk_approval_records_the_sessions_proof(client, clock, in_review, reviewer):
    """Approving on the review screen records method, time and device."""
    sign_in(client, reviewer)
    clock.shift(datetime.timedelta(minutes=3))
    response = client.post(review_url(in_review), decision())
    assert response.status_code == 302
    review = Review.objects.get(decision="approved")
    assert (review.proof_method, review.proof_device) == ("totp", "Phone")
    assert review.proof_at == START
    entry = AuditEntry.objects.get(action="approve")
    assert entry.proof_method == "totp" and entry.proof_at == START


def test_api_approval_records_no_second_factor(approved_article):
    """A script's approval says it had no second factor."""
    review = Review.objects.get(decision="approved")
    assert review.proof_method == state.Method.SCRIPT
    assert review.proof_text == "no second factor (workflow API)"


def make_unproved_approval(article, writer, reviewer) -> Review:
    """An approval as recorded before second factors existed."""
    article.submit_for_review(by=writer)
    review = Review.objects.create(
        revision=article.current_revision,
        reviewer=reviewer,
        decision="approved",
        content_hash=article.current_revision.content_hash,
        reviewer_name="Dr Rhea Reviewer",
        reviewer_credentials="MD, FACOG",
    )
    Article.objects.filter(pk=article.pk).update(status="approved", approval=review)
    article.refresh_from_db()
    return review


def test_publish_refuses_an_approval_without_proof(article, writer, reviewer, editor):
    """An approval with no proof record cannot be published."""
    make_unproved_approval(article, writer, reviewer)
    with pytest.raises(WorkflowError, match="approve it again with a second-factor"):
        article.publish(by=editor)
    article.refresh_from_db()
    assert article.live_revision_id is None


def test_scheduled_go_live_drops_an_approval_without_proof(
    article, writer, reviewer, editor
):
    """The go-live run refuses an unproved approval too."""
    review = make_unproved_approval(article, writer, reviewer)
    Article.objects.filter(pk=article.pk).update(
        publish_at=timezone.now() - datetime.timedelta(minutes=1),
        scheduled_approval=review,
        scheduled_by=editor,
    )
    assert run_due_schedules()[0].startswith(f"dropped {article.slug}")
    article.refresh_from_db()
    assert article.live_revision_id is None


def test_approval_made_with_checks_off_is_publishable(
    article, writer, reviewer, editor
):
    """An approval recorded with the setting off may be published."""
    article.submit_for_review(by=writer)
    article.approve(by=reviewer, proof=state.TURNED_OFF)
    article.publish(by=editor)
    assert article.is_live


def test_publishing_a_script_approval_says_so(live_article):
    """The publication's history notes the approval had no second factor."""
    entry = AuditEntry.objects.get(action="publish")
    assert "workflow API" in entry.message
    assert entry.proof_method == state.Method.SCRIPT


def test_stale_approve_is_refused_and_keeps_the_comment(
    client, clock, in_review, reviewer
):
    """Past the window, approving asks for a check and decides nothing."""
    sign_in(client, reviewer)
    clock.shift(datetime.timedelta(minutes=11))
    response = client.post(review_url(in_review), decision(comment="Check dose."))
    assert response.status_code == 200
    assert "Check dose." in response.content.decode()
    assert response.context["step_up"]["needed"]
    assert STEP_UP_FIELD in response.content.decode()
    assert not Review.objects.exists()


def test_approve_with_a_valid_code_goes_through(client, clock, in_review, reviewer):
    """A stale session's approval with a current code is accepted and proved."""
    device = sign_in(client, reviewer)
    clock.shift(datetime.timedelta(minutes=11))
    response = client.post(
        review_url(in_review), decision(**{STEP_UP_FIELD: code_for(device)})
    )
    assert response.status_code == 302
    review = Review.objects.get(decision="approved")
    assert review.proof_method == "totp" and review.proof_at == STALE


def test_approve_with_a_wrong_code_is_refused(client, clock, in_review, reviewer):
    """A wrong code decides nothing."""
    device = sign_in(client, reviewer)
    clock.shift(datetime.timedelta(minutes=11))
    wrong = f"{(int(code_for(device)) + 1) % 10**6:06d}"
    client.post(review_url(in_review), decision(**{STEP_UP_FIELD: wrong}))
    assert not Review.objects.exists()


def test_stale_request_changes_is_refused(client, clock, in_review, reviewer):
    """Sending back needs the check too."""
    sign_in(client, reviewer)
    clock.shift(datetime.timedelta(minutes=11))
    response = client.post(
        review_url(in_review),
        {"decision": "request_changes", "comment": "Cite the 2023 guideline."},
    )
    assert "Cite the 2023 guideline." in response.content.decode()
    assert not Review.objects.exists()


def changelist_action(client, name, article, **fields):
    return client.post(
        reverse("admin:articles_article_changelist"),
        {"action": name, "_selected_action": [article.pk], "index": 0, **fields},
    )


@pytest.fixture
def approved(clock, approved_article):
    return approved_article


def test_fresh_publish_is_one_click_and_records_proof(client, approved, editor):
    """With a fresh check, publishing from the list needs no extra page."""
    sign_in(client, editor)
    changelist_action(client, "publish", approved)
    approved.refresh_from_db()
    assert approved.is_live
    entry = AuditEntry.objects.get(action="publish")
    assert (entry.proof_method, entry.proof_device) == ("totp", "Phone")


def test_stale_publish_asks_on_a_page_of_its_own(client, clock, approved, editor):
    """Past the window, publishing shows the confirmation page, not a publish."""
    sign_in(client, editor)
    clock.shift(datetime.timedelta(minutes=11))
    response = changelist_action(client, "publish", approved)
    assert response.status_code == 200
    assert response.context["step_up"]["needed"]
    approved.refresh_from_db()
    assert not approved.is_live


def test_stale_publish_confirmed_without_a_code_is_refused(
    client, clock, approved, editor
):
    """Posting the confirmation without a check still publishes nothing."""
    sign_in(client, editor)
    clock.shift(datetime.timedelta(minutes=11))
    changelist_action(client, "publish", approved, confirm="1")
    approved.refresh_from_db()
    assert not approved.is_live


def test_stale_publish_with_a_code_goes_through(client, clock, approved, editor):
    """The confirmation page with a current code publishes."""
    device = sign_in(client, editor)
    clock.shift(datetime.timedelta(minutes=11))
    changelist_action(
        client, "publish", approved, confirm="1", **{STEP_UP_FIELD: code_for(device)}
    )
    approved.refresh_from_db()
    assert approved.is_live


def test_stale_schedule_is_refused_keeping_the_time(client, clock, approved, editor):
    """Scheduling publication needs the check; the chosen time is kept."""
    sign_in(client, editor)
    clock.shift(datetime.timedelta(minutes=11))
    response = changelist_action(
        client, "schedule_publication", approved, confirm="1", at="2026-03-09T08:30"
    )
    assert response.context["form"]["at"].value() == "2026-03-09T08:30"
    approved.refresh_from_db()
    assert approved.publish_at is None


def test_scheduled_go_live_records_the_schedulers_proof(
    client, clock, approved, editor
):
    """The go-live run records the proof given when it was scheduled."""
    sign_in(client, editor)
    changelist_action(
        client, "schedule_publication", approved, confirm="1", at="2026-03-09T08:30"
    )
    approved.refresh_from_db()
    assert approved.publish_at is not None
    run_due_schedules(now=approved.publish_at)
    entry = AuditEntry.objects.get(action="publish")
    assert entry.proof_method == "totp" and entry.proof_at == START


@pytest.fixture
def live(clock, live_article):
    return live_article


def test_stale_withdraw_is_refused_keeping_the_reason(client, clock, live, editor):
    """Withdrawing needs the check; the reason is kept."""
    sign_in(client, editor)
    clock.shift(datetime.timedelta(minutes=11))
    response = changelist_action(
        client, "unpublish", live, confirm="1", reason="Superseded guidance."
    )
    assert "Superseded guidance." in response.content.decode()
    live.refresh_from_db()
    assert live.is_live


def test_stale_schedule_withdrawal_is_refused(client, clock, live, editor):
    """Scheduling a withdrawal needs the check."""
    sign_in(client, editor)
    clock.shift(datetime.timedelta(minutes=11))
    changelist_action(
        client,
        "schedule_withdrawal",
        live,
        confirm="1",
        at="2026-03-09T08:30",
        reason="Superseded guidance.",
    )
    live.refresh_from_db()
    assert live.unpublish_at is None


def test_fresh_withdraw_records_proof(client, live, editor):
    """A withdrawal with a fresh check records it."""
    sign_in(client, editor)
    changelist_action(client, "unpublish", live, confirm="1", reason="Superseded.")
    entry = AuditEntry.objects.get(action="unpublish")
    assert entry.proof_method == "totp"


def test_stale_restore_is_refused_keeping_the_note(client, clock, article, editor):
    """Restoring an old revision needs the check; the note is kept."""
    article.body = "Changed [@najmabadi2021]."
    article.save()
    article.save_revision(by=editor)
    sign_in(client, editor)
    clock.shift(datetime.timedelta(minutes=11))
    url = reverse("admin:articles_article_restore", args=[article.pk, 1])
    response = client.post(url, {"note": "Back to the reviewed text."})
    assert "Back to the reviewed text." in response.content.decode()
    assert article.revisions.count() == 2


def test_fresh_restore_records_proof(client, clock, article, editor):
    """A restore with a fresh check goes through and records it."""
    article.body = "Changed [@najmabadi2021]."
    article.save()
    article.save_revision(by=editor)
    sign_in(client, editor)
    url = reverse("admin:articles_article_restore", args=[article.pk, 1])
    client.post(url, {"note": "Back to the reviewed text."})
    assert AuditEntry.objects.get(action="restore").proof_method == "totp"


def test_stale_preview_link_is_refused_keeping_the_note(client, clock, article, editor):
    """Creating a preview link needs the check."""
    sign_in(client, editor)
    clock.shift(datetime.timedelta(minutes=11))
    url = reverse("admin:articles_article_preview_links", args=[article.pk])
    response = client.post(url, {"note": "Dr Lee", "days": "3"})
    assert response.status_code == 200
    assert 'value="Dr Lee"' in response.content.decode()
    assert not PreviewLink.objects.exists()


def contributor_data(contributor, **changes):
    return {
        "user": contributor.user_id,
        "display_name": contributor.display_name,
        "slug": contributor.slug,
        "credentials": contributor.credentials,
        "specialty": contributor.specialty,
        "registration": contributor.registration,
        "bio": contributor.bio,
        **changes,
    }


def test_stale_credentials_change_is_refused(client, clock, reviewer, admin_user):
    """Changing a contributor's credentials needs the check."""
    sign_in(client, admin_user)
    clock.shift(datetime.timedelta(minutes=11))
    profile = reviewer.contributor
    url = reverse("admin:articles_contributor_change", args=[profile.pk])
    response = client.post(url, contributor_data(profile, credentials="MD, PhD"))
    assert response.status_code == 200
    assert Contributor.objects.get(pk=profile.pk).credentials == "MD, FACOG"


def test_stale_change_of_other_fields_is_saved(client, clock, reviewer, admin_user):
    """Other profile fields save without a check."""
    sign_in(client, admin_user)
    clock.shift(datetime.timedelta(minutes=11))
    profile = reviewer.contributor
    url = reverse("admin:articles_contributor_change", args=[profile.pk])
    response = client.post(url, contributor_data(profile, bio="Obstetrician."))
    assert response.status_code == 302
    assert Contributor.objects.get(pk=profile.pk).bio == "Obstetrician."


def test_audit_log_shows_the_proof(client, clock, in_review, reviewer, admin_user):
    """The audit log's list says how each sign-off was proved."""
    sign_in(client, reviewer)
    client.post(review_url(in_review), decision())
    sign_in(client, admin_user)
    response = client.get(reverse("admin:articles_auditentry_changelist"))
    assert "authenticator app “Phone” · checked" in response.content.decode()


def test_history_and_dashboard_show_the_proof(client, clock, in_review, reviewer):
    """The timeline and the dashboard's recent approvals show the proof."""
    sign_in(client, reviewer)
    client.post(review_url(in_review), decision())
    history = client.get(reverse("admin:articles_article_history", args=[in_review.pk]))
    assert "authenticator app “Phone”" in history.content.decode()
    dashboard = client.get(reverse("admin:articles_article_dashboard"))
    assert 'class="sign-off-proof" data-proof-method="totp"' in (
        dashboard.content.decode()
    )
