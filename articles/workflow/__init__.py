"""The workflow transitions. `Article` methods are the public entry points."""

from articles.workflow.publication import (  # noqa: F401
    WorkflowError,
    approve,
    cancel_schedule,
    make_live,
    publish,
    request_changes,
    restore,
    run_due_schedules,
    save_revision,
    schedule_unpublish,
    snapshot,
    submit_for_review,
    unpublish,
)
