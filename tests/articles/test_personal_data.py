"""Personal data stays where it belongs (issue 15): background tasks carry ids
and counts, not addresses or comments; editors see what a task was, not what
it held; editors link accounts to profiles without seeing anyone's address;
and no staff URL hands out what its user could not otherwise see."""

import datetime
import importlib
import io
import json
import smtplib

import pytest
import time_machine
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles.models import Article, NotificationPreference, PreviewLink
from articles.tasks import send_notification
from references import tasks as reference_tasks
from references.models import PendingImport
from siteconf.background import MAX_ATTEMPTS
from tests.conftest import make_user
from tests.tasks import run_tasks

COMMENT = "The dosage in paragraph two is unsafe for pregnant readers."
REASON = "Withdrawn pending the new guidance on folic acid."
ADDRESSES = ["writer@example.org", "reviewer@example.org", "editor@example.org"]


def kept_by_tasks() -> str:
    """Everything the task results hold: arguments, results and tracebacks."""
    return json.dumps(
        [
            [r.args_kwargs, r.return_value, r.traceback]
            for r in DBTaskResult.objects.all()
        ]
    )


def refuse_every_recipient(settings):
    settings.MAILERS = {
        "default": {"BACKEND": "tests.articles.test_personal_data.RefusingBackend"}
    }


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every recipient, naming them as SMTP does."""

    def send_messages(self, messages):
        refused = {
            to: (550, b"5.1.1 mailbox unavailable") for m in messages for to in m.to
        }
        raise smtplib.SMTPRecipientsRefused(refused)


# Tasks hold ids and counts ---------------------------------------------------


def test_a_whole_workflow_leaves_no_address_or_text_in_the_task_results(
    article, writer, reviewer, editor, django_capture_on_commit_callbacks
):
    """Submit, request changes, approve, publish and withdraw: every email goes
    out, and the task results hold none of the addresses, comments or reasons."""
    with django_capture_on_commit_callbacks(execute=True):
        article.submit_for_review(by=writer)
        article.request_changes(by=reviewer, comment=COMMENT)
        article.submit_for_review(by=writer)
        article.approve(by=reviewer, comment=COMMENT)
        article.publish(by=editor)
        article.unpublish(by=editor, reason=REASON)
    run_tasks()
    # One message per recipient: nobody sees who else was told.
    assert len(mail.outbox) == 9
    assert all(len(message.to) == 1 and not message.cc for message in mail.outbox)
    assert any(COMMENT in m.body for m in mail.outbox)
    assert any(REASON in m.body for m in mail.outbox)
    kept = kept_by_tasks()
    for secret in [*ADDRESSES, COMMENT, REASON, article.title]:
        assert secret not in kept, secret


def test_the_digest_task_holds_article_ids_not_titles(live_article, reviewer, editor):
    """The daily digest is queued with ids and written by the worker."""
    Article.objects.filter(pk=live_article.pk).update(
        next_review_due=datetime.date(2020, 1, 1)
    )
    call_command("send_review_reminders", stdout=io.StringIO())
    queued = DBTaskResult.objects.get(task_path="articles.tasks.send_notification")
    assert queued.args_kwargs["args"][2] == {
        "overdue": [live_article.pk],
        "due": [],
        "days": 30,
    }
    run_tasks()
    assert live_article.title in mail.outbox[0].body
    assert live_article.title not in kept_by_tasks()


def test_the_worker_reads_addresses_and_preferences_when_it_runs(
    article, writer, reviewer, django_capture_on_commit_callbacks
):
    """A new address counts, and so does an email turned off after queueing."""
    second = make_user("second", "Medical reviewers", credentials="MD")
    with django_capture_on_commit_callbacks(execute=True):
        article.submit_for_review(by=writer)
    reviewer.email = "rhea@clinic.example"
    reviewer.save()
    NotificationPreference.objects.create(user=second, muted_email_kinds=["submitted"])
    run_tasks()
    assert [m.to for m in mail.outbox] == [["rhea@clinic.example"]]


def test_an_email_about_a_deleted_article_is_not_sent_and_succeeds(
    article, writer, reviewer, django_capture_on_commit_callbacks
):
    """The article went before the worker came: nothing to say, no failure."""
    with django_capture_on_commit_callbacks(execute=True):
        article.submit_for_review(by=writer)
    Article.objects.filter(pk=article.pk).delete()
    assert run_tasks() == 1
    result = DBTaskResult.objects.get()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"sent": 0}
    assert mail.outbox == []


def test_refused_recipients_stay_out_of_the_retry_and_the_traceback(
    article, writer, reviewer, settings
):
    """SMTP names the addresses it refuses; the retry's result and the final
    traceback name the error's class and the count instead."""
    refuse_every_recipient(settings)
    about = {"article": article.pk, "actor": writer.pk}
    send_notification.enqueue("submitted", [reviewer.pk], about, MAX_ATTEMPTS - 1)
    run_tasks()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1)):
        run_tasks()
    retried = DBTaskResult.objects.get(status=TaskResultStatus.SUCCESSFUL)
    assert retried.return_value["error"] == "NotificationNotSent"
    failed = DBTaskResult.objects.get(status=TaskResultStatus.FAILED)
    assert "SMTPRecipientsRefused" in failed.traceback
    assert "1 recipient(s)" in failed.traceback
    assert "@" not in kept_by_tasks()


def test_a_refused_import_keeps_its_reason_for_the_uploader_only(editor):
    """The status page says what is wrong with the record; the task result
    says only where, not the file's text."""
    bad = "@article{x, title={A study}, journal={J}, year={Jane Q. Patient}}"
    pending = PendingImport.objects.create(
        created_by=editor,
        text=bad,
        format="bibtex",
        status=PendingImport.Status.QUEUED,
    )
    reference_tasks.import_pending.enqueue(pending.pk)
    run_tasks()
    pending.refresh_from_db()
    assert "the year “Jane Q. Patient” is not a year" in pending.message
    failed = DBTaskResult.objects.get()
    assert failed.status == TaskResultStatus.FAILED
    assert failed.exception_class_path == "references.tasks.ImportRefused"
    assert "record 1, line 1, field year" in failed.traceback
    assert "Jane Q. Patient" not in kept_by_tasks()


def test_results_written_with_addresses_are_redacted_by_the_migration(db):
    """Notification results from before hold no address or text once
    migrated; one still waiting is failed, not sent."""
    legacy = ["[Decided] Title", f"Comment:\n{COMMENT}", ["writer@example.org"]]
    common = {"task_path": "articles.tasks.send_notification", "backend_name": "x"}
    sent = DBTaskResult.objects.create(
        **common,
        args_kwargs={"args": legacy, "kwargs": {}},
        run_after=timezone.now(),
        status=TaskResultStatus.SUCCESSFUL,
        return_value={"error": "SMTPRecipientsRefused: writer@example.org"},
    )
    waiting = DBTaskResult.objects.create(
        **common,
        args_kwargs={"args": [*legacy, 2], "kwargs": {}},
        run_after=timezone.now(),
    )
    current = DBTaskResult.objects.create(
        **common,
        args_kwargs={"args": ["submitted", [1], {"article": 1}], "kwargs": {}},
        run_after=timezone.now(),
    )
    migration = importlib.import_module(
        "siteconf.migrations.0002_redact_notification_task_results"
    )
    migration.redact(apps, None)
    assert "@" not in kept_by_tasks() and COMMENT not in kept_by_tasks()
    sent.refresh_from_db()
    waiting.refresh_from_db()
    current.refresh_from_db()
    assert sent.status == TaskResultStatus.SUCCESSFUL
    assert waiting.status == TaskResultStatus.FAILED
    assert current.status == TaskResultStatus.READY
    assert current.args_kwargs["args"][0] == "submitted"


# The task results in the admin ------------------------------------------------


@pytest.fixture
def failed_email(db):
    """A failed task whose arguments, result and traceback hold personal data,
    as one written before this issue did."""
    return DBTaskResult.objects.create(
        task_path="articles.tasks.send_notification",
        backend_name="default",
        args_kwargs={"args": ["[Decided] X", COMMENT, ADDRESSES, 6], "kwargs": {}},
        run_after=timezone.now(),
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path="smtplib.SMTPRecipientsRefused",
        traceback=f"smtplib.SMTPRecipientsRefused: {{'{ADDRESSES[0]}': 550}}",
    )


def test_editors_see_what_ran_and_how_not_what_it_held(client, editor, failed_email):
    """The list and the change page show the task, its status, attempt and
    error class; no argument, result or traceback reaches an editor."""
    client.force_login(editor)
    changelist = reverse("admin:django_tasks_database_dbtaskresult_changelist")
    change = reverse(
        "admin:django_tasks_database_dbtaskresult_change", args=[failed_email.pk]
    )
    for url in (changelist, change):
        html = client.get(url).content.decode()
        assert "send_notification" in html
        assert "smtplib.SMTPRecipientsRefused" in html
        assert "@example.org" not in html and COMMENT not in html, url
    assert ">6<" in client.get(change).content.decode()  # the attempt


def test_editors_cannot_query_the_arguments_through_the_list(
    client, editor, failed_email
):
    """A filter on the arguments would answer yes or no about their content."""
    client.force_login(editor)
    changelist = reverse("admin:django_tasks_database_dbtaskresult_changelist")
    probe = {"args_kwargs__icontains": "writer@"}
    assert client.get(changelist, probe).status_code == 400
    assert client.get(changelist, {"traceback__contains": "@"}).status_code == 400
    assert client.get(changelist, {"status__exact": "FAILED"}).status_code == 200


def test_superusers_still_see_everything(admin_client, failed_email):
    """The arguments and the traceback are there for a superuser."""
    change = reverse(
        "admin:django_tasks_database_dbtaskresult_change", args=[failed_email.pk]
    )
    html = admin_client.get(change).content.decode()
    assert ADDRESSES[0] in html and COMMENT in html


# Linking an account to a contributor profile ---------------------------------


USERS = "/admin/articles/contributor/users/"


def test_editors_find_staff_accounts_by_name_without_addresses(client, editor, db):
    """Names and usernames of staff accounts with no profile yet; no email,
    no account that is not staff, none already linked."""
    linked = make_user("linked", "Writers")
    free = make_user("janedoe", "Writers")
    free.first_name, free.last_name = "Jane", "Doe"
    free.save()
    free.contributor.delete()
    outsider = make_user("outsider")
    outsider.contributor.delete()
    outsider.is_staff = False
    outsider.save()
    client.force_login(editor)
    answer = client.get(USERS, {"term": "jane d"})
    assert answer.json() == {
        "results": [{"id": str(free.pk), "text": "Jane Doe (janedoe)"}],
        "pagination": {"more": False},
    }
    everyone = client.get(USERS).content.decode()
    assert "janedoe" in everyone
    assert "@" not in everyone
    assert linked.username not in everyone and "outsider" not in everyone
    # An address is not a way in either.
    assert client.get(USERS, {"term": "janedoe@example"}).json()["results"] == []


@pytest.mark.parametrize("role", ["writer", "reviewer"])
def test_writers_and_reviewers_cannot_list_accounts(client, request, role):
    """Only those who may add or change profiles search the accounts."""
    client.force_login(request.getfixturevalue(role))
    assert client.get(USERS, {"term": "e"}).status_code == 403


def test_an_editor_links_an_account_found_by_the_search(client, editor, db):
    """The id the search gave is accepted by the form."""
    free = make_user("newdoctor", "Medical reviewers")
    free.contributor.delete()
    client.force_login(editor)
    found = client.get(USERS, {"term": "newdoc"}).json()["results"][0]["id"]
    response = client.post(
        reverse("admin:articles_contributor_add"),
        {"user": found, "display_name": "Dr New", "slug": "dr-new"},
    )
    assert response.status_code == 302
    free.refresh_from_db()
    assert free.contributor.slug == "dr-new"


# "View on site" --------------------------------------------------------------


def view_on_site(obj) -> str:
    content_type = ContentType.objects.get_for_model(obj)
    return reverse("admin:view_on_site", args=[content_type.pk, obj.pk])


def test_view_on_site_gives_no_preview_token_to_a_writer(
    client, article, writer, editor, other_writer
):
    """A preview link's address is its signed token: Django's redirect handed
    it to any staff user."""
    link = PreviewLink.objects.create(
        revision=article.current_revision,
        created_by=editor,
        expires_at=timezone.now() + datetime.timedelta(days=3),
    )
    for user in (writer, other_writer, editor):
        client.force_login(user)
        assert client.get(view_on_site(link)).status_code == 404


def test_view_on_site_only_for_articles_the_user_may_see(
    client, article, writer, other_writer, editor
):
    """Another writer's draft keeps its address to itself."""
    client.force_login(other_writer)
    assert client.get(view_on_site(article)).status_code == 404
    for user in (writer, editor):
        client.force_login(user)
        response = client.get(view_on_site(article))
        assert response.status_code == 302, user
        assert response["Location"].endswith(f"/articles/{article.slug}/")


# Logging out --------------------------------------------------------------------


def test_logging_out_asks_the_browser_to_forget_the_sites_storage(client, writer):
    """The log-out answer clears localStorage (the drafts) where browsers
    honour Clear-Site-Data, and its page removes them where they do not."""
    client.force_login(writer)
    response = client.post(reverse("admin:logout"))
    assert response.status_code == 200
    assert response["Clear-Site-Data"] == '"storage"'
    assert "editorial/logged-out" in response.content.decode()
    assert "_auth_user_id" not in client.session
