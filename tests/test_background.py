"""One retry mechanism for every background task, and failures admins can see."""

import datetime
import logging

import pytest
import time_machine
from django.db import transaction
from django.tasks import TaskResultStatus
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from siteconf.background import enqueue_after_commit, retrying
from tests.conftest import make_user
from tests.tasks import run_tasks

GAVE_UP = []


@retrying(max_attempts=3, first_delay=10)
def flaky(key: str, failures: int, attempt: int = 1) -> str:
    """Fails its first `failures` attempts."""
    if attempt <= failures:
        raise ConnectionError(f"{key}: attempt {attempt} refused")
    return f"{key} done on attempt {attempt}"


@retrying(give_up_on=(ValueError,), on_give_up=lambda error, *a, **k: GAVE_UP.append(a))
def refuses(value: str, attempt: int = 1) -> None:
    raise ValueError(f"{value} can never work")


def later(seconds: float):
    return time_machine.travel(timezone.now() + datetime.timedelta(seconds=seconds))


def waiting() -> DBTaskResult:
    return DBTaskResult.objects.get(status=TaskResultStatus.READY)


def test_a_failure_is_logged_and_retried_later_with_its_attempt_number(db, caplog):
    """The failed attempt is logged; the task waits with attempt 2, 10 s on."""
    flaky.enqueue("a", 1)
    with caplog.at_level(logging.WARNING):
        assert run_tasks() == 1
    assert "flaky(key='a', failures=1) failed (attempt 1 of 3)" in caplog.text
    assert "retrying in 0:00:10" in caplog.text
    retry = waiting()
    assert retry.args_kwargs["args"] == ["a", 1, 2]
    assert retry.run_after > timezone.now() + datetime.timedelta(seconds=9)
    assert run_tasks() == 0  # not due yet
    with later(11):
        assert run_tasks() == 1
    assert DBTaskResult.objects.get(pk=retry.pk).return_value == "a done on attempt 2"


def test_the_delay_grows_fourfold_per_attempt(db):
    """10 s after the first failure, 40 s after the second."""
    flaky.enqueue("b", 2)
    run_tasks()
    with later(11):
        run_tasks()
        second = waiting()
        assert second.args_kwargs["args"][2] == 3
        delay = second.run_after - timezone.now()
        assert datetime.timedelta(seconds=39) < delay <= datetime.timedelta(seconds=40)


def test_an_attempt_that_will_be_retried_says_why_and_when(db):
    """Its result names the error's class (not its message) and the attempt
    that follows."""
    first = flaky.enqueue("c", 1)
    run_tasks()
    first.refresh()
    assert first.status == TaskResultStatus.SUCCESSFUL
    assert first.return_value["error"] == "ConnectionError"
    assert first.return_value["retry"] == str(waiting().pk)


def test_after_the_last_attempt_the_task_fails_with_its_traceback(db, caplog):
    """Attempt 3 of 3 fails for good: FAILED, with the error's traceback."""
    flaky.enqueue("d", 5)
    with caplog.at_level(logging.WARNING):
        run_tasks()
        for seconds in (11, 51):
            with later(seconds):
                run_tasks()
    failed = DBTaskResult.objects.get(status=TaskResultStatus.FAILED)
    assert failed.args_kwargs["args"] == ["d", 5, 3]
    assert "ConnectionError: d: attempt 3 refused" in failed.traceback
    assert "failed after 3 attempt(s); giving up" in caplog.text
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()


def test_errors_that_cannot_improve_are_not_retried(db):
    """An error in give_up_on fails the task at once and calls on_give_up."""
    GAVE_UP.clear()
    refuses.enqueue("x")
    assert run_tasks() == 1
    assert DBTaskResult.objects.get().status == TaskResultStatus.FAILED
    assert GAVE_UP == [("x",)]


def test_a_task_must_take_its_attempt_number():
    """Without an `attempt` argument there is nothing to carry the count."""
    with pytest.raises(TypeError, match="needs an `attempt` argument"):
        retrying()(lambda value: value)


def test_enqueue_after_commit_waits_for_the_commit(
    db, django_capture_on_commit_callbacks
):
    """Nothing is queued before the commit; a rollback queues nothing."""
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enqueue_after_commit(flaky, "e", 0)
        assert not DBTaskResult.objects.exists()
    assert DBTaskResult.objects.count() == 1
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue_after_commit(flaky, "f", 0)
        raise RuntimeError
    assert callbacks == []


@pytest.mark.parametrize(
    "role, status", [("Writers", 403), ("Medical reviewers", 403), ("Editors", 200)]
)
def test_editors_see_failed_and_waiting_tasks(client, db, role, status):
    """Editors (and superusers) can read the task results."""
    flaky.enqueue("g", 5)
    run_tasks()
    client.force_login(make_user("someone", role))
    changelist = reverse("admin:django_tasks_database_dbtaskresult_changelist")
    response = client.get(changelist, {"status__exact": "READY"})
    assert response.status_code == status
    if status == 200:
        assert "flaky" in response.content.decode()


def test_a_failed_task_shows_its_traceback_to_a_superuser(admin_client, db):
    """The change page of a failed task shows its traceback."""
    refuses.enqueue("h")
    run_tasks()
    failed = DBTaskResult.objects.get()
    url = reverse("admin:django_tasks_database_dbtaskresult_change", args=[failed.pk])
    html = admin_client.get(url).content.decode()
    assert "ValueError: h can never work" in html
