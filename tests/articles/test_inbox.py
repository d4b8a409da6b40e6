"""In-app notifications: who gets which (never the actor), the bell, opening
one, marking all read, and the email preferences the emails respect."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from articles.models import Article, Notification, NotificationPreference, ReviewComment
from articles.notifications import muted
from tests.conftest import make_user
from tests.tasks import run_tasks

Kind = Notification.Kind


def bells(kind=None) -> dict[str, list[str]]:
    """Each recipient's username with the kinds in their bell."""
    found: dict[str, list[str]] = {}
    rows = Notification.objects.select_related("recipient").order_by("id")
    for n in rows.filter(kind=kind) if kind else rows:
        found.setdefault(n.recipient.username, []).append(n.kind)
    return found


def emailed() -> list[list[str]]:
    run_tasks()
    return [sorted(m.to) for m in mail.outbox]


# Recipients, per event -------------------------------------------------------


def test_submission_reaches_reviewers_not_the_submitter(article, writer, reviewer):
    """Reviewers get the submission; the writer who submitted does not."""
    article.submit_for_review(by=writer)
    assert bells() == {"reviewer": [Kind.SUBMITTED]}
    note = Notification.objects.get()
    assert note.message == (
        "Wendy Writer submitted “Cervical mucus and the fertile window” for "
        "medical review."
    )
    assert note.url == reverse("admin:articles_article_change", args=[article.pk])


def test_decision_reaches_the_authors_not_the_reviewer(article, writer, reviewer):
    """A request for changes goes to the authors with the comment."""
    article.submit_for_review(by=writer)
    article.request_changes(by=reviewer, comment="Cite the RCT.")
    assert bells(Kind.DECIDED) == {"writer": [Kind.DECIDED]}
    assert (
        "Dr Rhea Reviewer requested changes"
        in Notification.objects.get(kind=Kind.DECIDED).message
    )
    assert "Cite the RCT." in Notification.objects.get(kind=Kind.DECIDED).message


def test_approval_tells_the_editors_it_waits_to_be_published(
    article, writer, reviewer, editor
):
    """After an approval the authors hear the decision, the editors that it
    waits for them; the reviewer hears nothing of their own act."""
    article.submit_for_review(by=writer)
    Notification.objects.all().delete()
    article.approve(by=reviewer)
    assert bells() == {"writer": [Kind.DECIDED], "editor": [Kind.APPROVED]}


def test_publication_and_withdrawal_reach_authors_and_reviewer(
    approved_article, writer, reviewer, editor
):
    """The authors and the approving reviewer hear of both; the editor not."""
    Notification.objects.all().delete()
    approved_article.publish(by=editor)
    approved_article.unpublish(by=editor, reason="Superseded by new guidance.")
    assert bells() == {
        "writer": [Kind.PUBLISHED, Kind.WITHDRAWN],
        "reviewer": [Kind.PUBLISHED, Kind.WITHDRAWN],
    }
    withdrawal = Notification.objects.filter(kind=Kind.WITHDRAWN).first()
    assert "Eddie Editor withdrew" in withdrawal.message
    assert "Superseded by new guidance." in withdrawal.message


def test_editing_in_review_tells_the_reviewers(article, writer, reviewer):
    """An edit that withdraws the review request tells the reviewers, by bell
    and by email, and not the writer who edited."""
    article.submit_for_review(by=writer)
    Notification.objects.all().delete()
    article.body = "Mucus changes a great deal [@najmabadi2021]."
    article.save_revision(by=writer)
    assert article.status == Article.Status.DRAFT
    assert bells() == {"reviewer": [Kind.REVIEW_WITHDRAWN]}
    assert "review request is withdrawn" in Notification.objects.get().message


def test_email_for_a_withdrawn_review_request(
    article, writer, reviewer, django_capture_on_commit_callbacks
):
    """The reviewer also gets an email when the request is withdrawn."""
    article.submit_for_review(by=writer)
    article.body = "Mucus changes a great deal [@najmabadi2021]."
    with django_capture_on_commit_callbacks(execute=True):
        article.save_revision(by=writer)
    assert emailed() == [["reviewer@example.org"]]
    assert mail.outbox[0].subject.startswith("[Review withdrawn]")


def comment(article, author, body="Which trial is this?"):
    return ReviewComment.objects.create(
        article=article,
        revision=article.current_revision,
        author=author,
        quote="Mucus changes",
        body=body,
    )


def test_a_reviewers_comment_reaches_the_authors(article, writer, reviewer):
    """A reviewer's comment on the text goes to the writer."""
    article.submit_for_review(by=writer)
    Notification.objects.all().delete()
    comment(article, reviewer)
    assert bells() == {"writer": [Kind.COMMENT]}
    assert "Which trial is this?" in Notification.objects.get().message


def test_a_writers_reply_reaches_the_reviewers_who_commented(
    article, writer, reviewer, editor
):
    """A writer's comment goes to the reviewers who commented, nobody else."""
    other = make_user("second", "Medical reviewers", credentials="MD")
    comment(article, reviewer)
    Notification.objects.all().delete()
    comment(article, writer, "Added the PROMISE trial.")
    assert bells() == {"reviewer": [Kind.COMMENT]}
    assert other.pk not in Notification.objects.values_list("recipient", flat=True)


def test_comments_send_no_email(
    article, writer, reviewer, django_capture_on_commit_callbacks
):
    """Comments stay in the bell; the decision email sums them up."""
    with django_capture_on_commit_callbacks(execute=True):
        comment(article, reviewer)
    assert emailed() == []


def test_review_digest_reaches_reviewers_and_editors(
    live_article, writer, reviewer, editor
):
    """The daily digest goes to reviewers and editors, with a real plural."""
    Notification.objects.all().delete()
    Article.objects.filter(pk=live_article.pk).update(
        next_review_due=datetime.date(2020, 1, 1)
    )
    call_command("send_review_reminders", stdout=io.StringIO())
    assert bells() == {"reviewer": [Kind.REVIEWS_DUE], "editor": [Kind.REVIEWS_DUE]}
    assert Notification.objects.first().message == ("1 article is overdue for review.")


def test_nothing_is_recorded_when_muted(article, writer, reviewer):
    """Data repairs and demo loading can silence the bell and the email."""
    with muted():
        article.submit_for_review(by=writer)
    assert not Notification.objects.exists()


def test_a_rolled_back_transition_leaves_no_notification(article, writer, reviewer):
    """The bell's rows are written in the transition's transaction."""
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        article.submit_for_review(by=writer)
        raise RuntimeError
    assert not Notification.objects.exists()


# Email preferences -----------------------------------------------------------


def test_muted_kind_sends_no_email_but_reaches_the_bell(
    article, writer, reviewer, django_capture_on_commit_callbacks
):
    """A reviewer who turned off submission emails still sees it in the bell."""
    NotificationPreference.objects.create(
        user=reviewer, muted_email_kinds=[Kind.SUBMITTED]
    )
    with django_capture_on_commit_callbacks(execute=True):
        article.submit_for_review(by=writer)
    assert emailed() == []
    assert bells() == {"reviewer": [Kind.SUBMITTED]}


def test_a_muted_recipient_leaves_the_others_emailed(
    article, writer, reviewer, django_capture_on_commit_callbacks
):
    """One reviewer's preference does not silence another's email."""
    make_user("second", "Medical reviewers", credentials="MD")
    NotificationPreference.objects.create(
        user=reviewer, muted_email_kinds=[Kind.SUBMITTED]
    )
    with django_capture_on_commit_callbacks(execute=True):
        article.submit_for_review(by=writer)
    assert emailed() == [["second@example.org"]]


def test_preferences_page_saves_the_unticked_kinds(client, reviewer):
    """Unticking a kind on the email settings page mutes its email."""
    client.force_login(reviewer)
    url = reverse("admin:articles_notification_preferences")
    form = client.get(url).context["form"]
    assert Kind.SUBMITTED in form.initial["kinds"]  # everything, to begin with
    kept = [Kind.DECIDED, Kind.PUBLISHED]
    response = client.post(url, {"kinds": kept})
    assert response.status_code == 302
    muted_kinds = NotificationPreference.objects.get(user=reviewer).muted_email_kinds
    assert Kind.SUBMITTED in muted_kinds
    assert Kind.DECIDED not in muted_kinds and Kind.PUBLISHED not in muted_kinds


def test_preferences_page_needs_a_staff_login(client, db):
    """Anonymous visitors are sent to the login page."""
    response = client.get(reverse("admin:articles_notification_preferences"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


# The bell and its pages ----------------------------------------------------


@pytest.fixture
def note(article, writer, reviewer):
    article.submit_for_review(by=writer)
    return Notification.objects.get(recipient=reviewer)


def test_bell_shows_unread_count_and_recent_notifications(client, note, reviewer):
    """Every admin page carries the bell with the unread count."""
    client.force_login(reviewer)
    html = client.get(reverse("admin:index")).content.decode()
    assert 'class="bell-count" data-bell-count>1<' in html
    assert "Wendy Writer submitted" in html
    assert reverse("admin:articles_notification_open", args=[note.pk]) in html


def test_the_admin_greets_people_by_name(client, writer, db):
    """First name, else the profile's name, else (no profile) the username."""
    client.force_login(writer)
    assert "<strong>Wendy Writer</strong>." in client.get(reverse("admin:index")).text
    writer.first_name = "Wendy"
    writer.save()
    assert "<strong>Wendy</strong>." in client.get(reverse("admin:index")).text
    bare = make_user("bare")
    bare.contributor.delete()
    client.force_login(bare)
    assert "<strong>bare</strong>." in client.get(reverse("admin:index")).text


def test_bell_costs_one_query(client, note, reviewer, django_assert_num_queries):
    """The count and the recent list come from one query."""
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = reviewer
    template = Template("{% load notification_bell %}{% notification_bell %}")
    with django_assert_num_queries(1):
        html = template.render(Context({"request": request}))
    assert "Notifications: 1 unread" in html


def test_opening_marks_read_and_goes_to_the_article(client, note, reviewer):
    """Opening a notification marks it read and redirects to its page."""
    client.force_login(reviewer)
    response = client.get(reverse("admin:articles_notification_open", args=[note.pk]))
    assert response.status_code == 302
    assert response["Location"] == note.url
    note.refresh_from_db()
    assert note.read_at is not None


def test_another_users_notification_is_404(client, note, writer):
    """Nobody can open or mark read someone else's notification."""
    client.force_login(writer)
    response = client.get(reverse("admin:articles_notification_open", args=[note.pk]))
    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


@pytest.mark.parametrize(
    "url",
    ["https://evil.example/", "//evil.example/admin/", "javascript:alert(1)", ""],
)
def test_open_redirect_is_refused(client, note, reviewer, url):
    """A notification pointing off the site lands on the notifications page."""
    Notification.objects.filter(pk=note.pk).update(url=url)
    client.force_login(reviewer)
    response = client.get(reverse("admin:articles_notification_open", args=[note.pk]))
    assert response["Location"] == reverse("admin:articles_notification_changelist")


def test_mark_all_read_only_marks_mine(client, note, reviewer, writer, article):
    """Mark all read is a POST and touches only the user's own notifications."""
    theirs = Notification.objects.create(
        recipient=writer, kind=Kind.DECIDED, message="Theirs", article=article
    )
    client.force_login(reviewer)
    url = reverse("admin:articles_notification_read_all")
    assert client.get(url).status_code == 405
    response = client.post(url, {"next": "https://evil.example/"})
    assert response["Location"] == reverse("admin:articles_notification_changelist")
    note.refresh_from_db()
    theirs.refresh_from_db()
    assert note.read_at is not None and theirs.read_at is None


def test_mark_all_read_goes_back_to_a_local_page(client, note, reviewer):
    """After marking all read the user is back on the page they were on."""
    client.force_login(reviewer)
    response = client.post(
        reverse("admin:articles_notification_read_all"),
        {"next": "/admin/articles/article/"},
    )
    assert response["Location"] == "/admin/articles/article/"


def test_notifications_page_lists_only_mine(client, note, reviewer, writer, article):
    """The notifications page shows the user's own, never another's."""
    Notification.objects.create(
        recipient=writer, kind=Kind.DECIDED, message="Not for the reviewer"
    )
    client.force_login(reviewer)
    html = client.get(
        reverse("admin:articles_notification_changelist")
    ).content.decode()
    assert "Not for the reviewer" not in html
    assert "Wendy Writer submitted" in html
    client.force_login(writer)
    assert client.get(
        reverse("admin:articles_notification_change", args=[note.pk])
    ).status_code in {302, 404}


def test_names_are_the_profile_then_the_full_name_then_the_username(db):
    """Messages name people as the desk does everywhere (articles.names): the
    name on their profile, else their full name, else their username."""
    from articles.notifications import person_name

    user = make_user("pat", "Writers", display_name="Pat Profile")
    user.first_name, user.last_name = "Patricia", "Full"
    assert person_name(user) == "Pat Profile"
    user.contributor.delete()
    user = type(user).objects.get(pk=user.pk)
    user.first_name, user.last_name = "Patricia", "Full"
    assert person_name(user) == "Patricia Full"
    user.first_name = user.last_name = ""
    assert person_name(user) == "pat"
    assert person_name(None) == "Someone"


def test_ago_reads_as_people_say_it():
    """Times in the bell: "just now", then the largest unit."""
    from django.utils import timezone

    from articles.templatetags.notification_bell import ago

    def said(delta):
        return ago(timezone.now() - delta).replace("\xa0", " ")

    assert said(datetime.timedelta(seconds=5)) == "just now"
    assert said(datetime.timedelta(hours=3, minutes=20)) == "3 hours ago"
    assert said(datetime.timedelta(days=1)) == "1 day ago"
