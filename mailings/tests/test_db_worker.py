"""The path `make run` takes: tasks in the database, run by `manage.py db_worker`."""

import pytest
from django.core.management import call_command

from mailings.models import OutgoingMessage

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_database_worker_delivers_queued_mail_to_the_smtp_server(
    smtp, settings, world, make_parent
):
    from django.tasks import task_backends

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mail"]}
    }
    assert type(task_backends["default"]).__name__ == "DatabaseBackend"
    from accounts.services import invitation_send

    fresh = make_parent(world.school, "fresh@example.nl", pupils=[world.lotte], with_login=False)
    invitation_send(record=fresh)
    # Nothing leaves before a worker runs: the message waits in the outbox, the task in the
    # database queue.
    assert smtp.handler.recipients() == []
    assert OutgoingMessage.objects.get(email="fresh@example.nl").status == "queued"
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*")
    assert smtp.handler.recipients() == ["fresh@example.nl"]
    assert OutgoingMessage.objects.get(email="fresh@example.nl").status == "sent"
