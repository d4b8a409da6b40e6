"""Notification emails go out after the commit, as background tasks that
retry: a mail server outage never turns a committed transition into an error."""

import datetime
import logging

import time_machine
from django.core import mail
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles.models import Article
from articles.tasks import send_notification
from siteconf.background import MAX_ATTEMPTS
from tests.tasks import run_tasks

DEAD_SMTP = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        # Nothing listens on port 1: the connection is refused at once.
        "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2},
    }
}
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def submit_in_admin(client, article):
    return client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        {"CHANGE_FORM-action": "submit_for_review", "_selected_action": article.pk},
    )


def test_no_email_is_sent_inside_the_request(
    client, article, writer, reviewer, django_capture_on_commit_callbacks
):
    """The transition only queues the email; a worker sends it."""
    client.force_login(writer)
    with django_capture_on_commit_callbacks(execute=True):
        submit_in_admin(client, article)
    assert mail.outbox == []
    assert run_tasks() == 1
    assert [m.to for m in mail.outbox] == [["reviewer@example.org"]]


def test_mail_server_down_leaves_the_transition_done_and_retries(
    client,
    article,
    writer,
    reviewer,
    settings,
    caplog,
    django_capture_on_commit_callbacks,
):
    """With SMTP refusing connections the submit succeeds; the email is logged
    as failed, retried later, and delivered once the server is back."""
    settings.MAILERS = DEAD_SMTP
    client.force_login(writer)
    with django_capture_on_commit_callbacks(execute=True):
        response = submit_in_admin(client, article)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW

    with caplog.at_level(logging.WARNING, logger="articles.tasks"):
        assert run_tasks() == 1
    assert "retrying in 0:01:00" in caplog.text
    waiting = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert waiting.args_kwargs["args"][3] == 2  # the second attempt
    assert waiting.run_after > timezone.now()
    assert run_tasks() == 0  # not due yet

    settings.MAILERS = LOCMEM
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        assert run_tasks() == 1
    assert [m.to for m in mail.outbox] == [["reviewer@example.org"]]


def test_the_last_attempt_fails_visibly(article, writer, reviewer, settings, caplog):
    """After the last attempt the task is marked failed, with its traceback."""
    settings.MAILERS = DEAD_SMTP
    about = {"article": article.pk, "actor": writer.pk}
    send_notification.enqueue("submitted", [reviewer.pk], about, MAX_ATTEMPTS)
    with caplog.at_level(logging.ERROR, logger="articles.tasks"):
        run_tasks()
    failed = DBTaskResult.objects.get()
    assert failed.status == TaskResultStatus.FAILED
    assert "ConnectionRefusedError" in failed.traceback
    assert "giving up" in caplog.text


def test_a_subject_with_line_breaks_is_sent_on_one_line(article, writer, reviewer):
    """Header injection is impossible: the subject is made single-line."""
    Article.objects.filter(pk=article.pk).update(title="One\nBcc: x@example.org")
    about = {"article": article.pk, "actor": writer.pk}
    send_notification.enqueue("submitted", [reviewer.pk], about)
    run_tasks()
    assert mail.outbox[0].subject == "[Review] One Bcc: x@example.org"
    assert mail.outbox[0].bcc == []
