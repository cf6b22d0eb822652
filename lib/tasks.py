"""Enqueue background tasks so they run only for work that was committed.

With the database queue (django-tasks-db, the default) the task row is written inside the
caller's transaction: the change and its task commit together or not at all, in one commit.
With any other backend (Redis/RQ, or the immediate backend of the tests) the task is enqueued
once the transaction has committed, so a worker never sees a change that was rolled back.
"""

from collections.abc import Callable

from django.db import transaction
from django.tasks import Task


def _same_database_queue(task: Task) -> bool:
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task.get_backend(), DatabaseBackend)


def enqueue_with_transaction(task: Task, **kwargs) -> None:
    """Enqueue `task(**kwargs)` as part of the current transaction (see the module)."""
    if _same_database_queue(task):
        task.enqueue(**kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(**kwargs))


def _tagged(task: Task, function: Callable[[], None]) -> Callable[[], None]:
    function.ocs_task = task.module_path  # found again by enqueue_once_per_transaction
    return function


def enqueue_once_per_transaction(task: Task, on_error: Callable[[], None] | None = None) -> None:
    """Enqueue `task()` (no arguments) once per transaction, however often it is asked for
    (e.g. one mail delivery run for a transaction that wrote many messages). With a queue
    outside the database, `on_error` is called instead of raising when the queue cannot be
    reached (Redis down); with the database queue a failure fails the transaction."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        getattr(entry[1], "ocs_task", None) == task.module_path
        for entry in connection.run_on_commit
    ):
        return
    if _same_database_queue(task):
        task.enqueue()
        transaction.on_commit(_tagged(task, lambda: None))
        return

    def enqueue() -> None:
        try:
            task.enqueue()
        except Exception:
            if on_error is None:
                raise
            on_error()

    transaction.on_commit(_tagged(task, enqueue))
