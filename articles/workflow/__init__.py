"""The workflow transitions. `Article` methods are the public entry points.

Each transition checks, in order, the current state, the permission and the
separation of duty, then writes in one transaction with the article row
locked, and appends to the audit log. A refusal raises `WorkflowError`.
"""

from articles.models import WorkflowError
from articles.workflow.publication import (
    cancel_schedule,
    make_live,
    publish,
    run_due_schedules,
    schedule_unpublish,
    unpublish,
)
from articles.workflow.review import approve, request_changes, submit_for_review
from articles.workflow.revisions import restore, save_revision, snapshot

__all__ = [
    "WorkflowError",
    "approve",
    "cancel_schedule",
    "make_live",
    "publish",
    "request_changes",
    "restore",
    "run_due_schedules",
    "save_revision",
    "schedule_unpublish",
    "snapshot",
    "submit_for_review",
    "unpublish",
]
