"""What every background task shares: one way to retry, and enqueueing after commit.

Tasks run on Django's Tasks framework (django-tasks-db in production). Both
apps define tasks, and `references` may not import `articles`, so the one
retry mechanism lives here, below both.

A task made with `@retrying()` that raises is logged and enqueued again
with its next attempt number after 1, 4, 16, 64 and 256 minutes (by default);
after the last attempt the error propagates, so the task ends FAILED with its
traceback in the admin's task results. An attempt that will be retried ends
with a return value naming the error's class (not its message, which can
quote the data the task worked on) and when the next attempt runs.
"""

import datetime
import functools
import inspect
import logging
from collections.abc import Callable

from django.db import transaction
from django.tasks import Task, task
from django.utils import timezone

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
FIRST_RETRY_SECONDS = 60


class WorkerLost(Exception):
    """Recorded on a task whose workers kept stopping while they ran it
    (see `manage.py requeue_stale_tasks`)."""


def retry_delay(
    attempt: int, first_delay: float = FIRST_RETRY_SECONDS
) -> datetime.timedelta:
    """1, 4, 16, 64 and 256 minutes after the 1st…5th failed attempt (by default)."""
    return datetime.timedelta(seconds=first_delay * 4 ** (attempt - 1))


def _describe(name: str, arguments: dict) -> str:
    shown = ", ".join(
        f"{key}={value!r:.60}" for key, value in arguments.items() if key != "attempt"
    )
    return f"{name}({shown})"


def retrying(
    *,
    max_attempts: int = MAX_ATTEMPTS,
    first_delay: float = FIRST_RETRY_SECONDS,
    give_up_on: tuple[type[BaseException], ...] = (),
    on_give_up: Callable[..., None] | None = None,
    **task_options,
) -> Callable[[Callable], Task]:
    """Make a function a task that is enqueued again, later, when it raises.

    The function takes an `attempt` argument (1 on the first run), which the
    retry carries forward. Errors in `give_up_on` are not retried.
    `on_give_up(error, *args, **kwargs)` runs before the final error
    propagates, to record the failure where people look for it.
    """

    def decorate(function: Callable) -> Task:
        signature = inspect.signature(function)
        if "attempt" not in signature.parameters:
            raise TypeError(f"{function.__qualname__}() needs an `attempt` argument.")
        first = signature.parameters["attempt"].default

        @functools.wraps(function)
        def run(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            attempt = bound.arguments.get("attempt", first)
            description = _describe(function.__name__, bound.arguments)
            try:
                return function(*args, **kwargs)
            except Exception as error:
                final = isinstance(error, give_up_on) or attempt >= max_attempts
                if final or not this_task.get_backend().supports_defer:
                    logger.exception(
                        "%s failed after %s attempt(s); giving up.",
                        description,
                        attempt,
                    )
                    if on_give_up is not None:
                        on_give_up(error, *args, **kwargs)
                    raise
                delay = retry_delay(attempt, first_delay)
                logger.warning(
                    "%s failed (attempt %s of %s); retrying in %s.",
                    description,
                    attempt,
                    max_attempts,
                    delay,
                    exc_info=True,
                )
                bound.arguments["attempt"] = attempt + 1
                run_after = timezone.now() + delay
                retry = this_task.using(run_after=run_after).enqueue(
                    *bound.args, **bound.kwargs
                )
                return {
                    "error": type(error).__name__,
                    "retry": retry.id,
                    "attempt": attempt + 1,
                    "run_after": run_after.isoformat(),
                }

        this_task = task(**task_options)(run)
        return this_task

    return decorate


def enqueue_after_commit(task_: Task, *args, **kwargs) -> None:
    """Enqueue once the current transaction commits (at once outside one).

    A task never acts on a change that was rolled back, and a failure to
    enqueue is logged without undoing the change that committed.
    """
    transaction.on_commit(
        functools.partial(task_.enqueue, *args, **kwargs), robust=True
    )
