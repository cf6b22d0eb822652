"""A state-changing request commits once: the change, its audit entry, its mail and task rows
and the session together, or nothing at all. Page views write nothing.

These tests use real transactions (`transactional_db`) and count what the database sees."""

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from audit.models import AuditEvent
from conferences.tests.conftest import slot_at
from lib.testing import StatementCount
from mailings.models import OutgoingMessage
from specialgroups.models import Signup

# Statements of a booking POST as the database sees them, BEGIN and COMMIT included: session,
# user, parent, round and child (access); savepoint, household lock, round check, slot,
# siblings, release, claim, task row, release savepoint; audit row; COMMIT.
BOOKING_STATEMENTS = 18


@pytest.fixture
def parent_client(transactional_db, world):
    def make(parent):
        client = Client(raise_request_exception=False)
        client.force_login(parent.user, backend="accounts.backends.EmailBackend")
        client.get(reverse("portal:dashboard"))  # the session's first renewal is behind it
        return client

    return make


def book(client, conference, pupil, slot):
    return client.post(
        reverse("conferences:portal_book", args=[conference.public_id]),
        {"pupil": str(pupil.public_id), "slot": slot.pk},
    )


def test_a_booking_is_one_commit_with_its_audit_entry_and_confirmation_task(
    parent_client, world, make_round, database_queue
):
    conference = make_round()
    client = parent_client(world.petra)
    slot = slot_at(conference, 15, 20)
    with StatementCount() as count:
        response = book(client, conference, world.sam, slot)
    assert response.status_code == 302
    assert count.durable_commits == 1, count.report()
    assert count.autocommit_writes == []
    assert count.statements <= BOOKING_STATEMENTS, count.report()
    slot.refresh_from_db()
    assert slot.pupil == world.sam
    assert AuditEvent.objects.filter(object_type="slot", object_id=str(slot.pk)).count() == 1
    confirm = DBTaskResult.objects.get(task_path="conferences.tasks.booking_confirm")
    assert confirm.args_kwargs["kwargs"]["slot_id"] == slot.pk


def test_a_booking_whose_audit_entry_fails_leaves_nothing_behind(
    parent_client, world, make_round, database_queue, monkeypatch
):
    conference = make_round()
    client = parent_client(world.petra)
    slot = slot_at(conference, 15, 20)

    def broken_audit(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("conferences.views.audit_record", broken_audit)
    response = book(client, conference, world.sam, slot)
    assert response.status_code == 500
    slot.refresh_from_db()
    assert slot.pupil is None  # the booking went with the failed request ...
    assert not DBTaskResult.objects.exists()  # ... and so did its confirmation: none is sent
    assert not AuditEvent.objects.filter(object_type="slot").exists()


def test_a_sign_up_is_one_commit(parent_client, world, database_queue):
    from django.utils import timezone

    from specialgroups.services import special_group_create

    group = special_group_create(
        school=world.school,
        created_by=None,
        name="Luizenmoeders",
        has_activity=True,
        max_participants=3,
        signup_deadline=timezone.localdate(),
        eligible_groups=[world.g3],
    )
    client = parent_client(world.petra)
    with StatementCount() as count:
        response = client.post(
            reverse("specialgroups:portal_signup", args=[group.public_id]), follow=False
        )
    assert response.status_code == 302
    assert count.durable_commits == 1, count.report()
    assert Signup.objects.filter(special_group=group, parent=world.petra).exists()


def test_a_mailing_is_one_commit_with_its_messages_and_one_delivery_run(
    transactional_db, world, database_queue
):
    client = Client()
    client.force_login(world.anna.user, backend="accounts.backends.EmailBackend")
    client.get(reverse("schools:dashboard"))
    with StatementCount() as count:
        response = client.post(
            reverse("mailings:send"),
            {"group": [str(world.g3.public_id)], "subject": "Schoolreis", "body": "Hallo"},
        )
    assert response.status_code == 302
    assert count.autocommit_writes == [], count.report()
    assert count.durable_commits == 1, count.report()
    assert OutgoingMessage.objects.filter(email="petra@example.nl").count() == 1
    assert AuditEvent.objects.filter(action="send").count() == 1
    runs = DBTaskResult.objects.filter(task_path="mailings.tasks.deliver_outbox")
    assert runs.count() == 1


def test_pages_write_nothing(parent_client, world, make_round):
    make_round()
    client = parent_client(world.petra)
    with StatementCount() as count:
        for name in ("portal:dashboard", "conferences:portal", "specialgroups:portal_list"):
            assert client.get(reverse(name)).status_code == 200
    writes = [sql for sql, _inside in count.queries if sql.startswith(StatementCount.WRITES)]
    assert count.commits == 0
    assert all("django_session" not in sql for sql in writes), count.report()


def test_a_posts_body_is_read_before_its_transaction_begins(transactional_db, rf):
    """A slow upload never holds the transaction (on SQLite: the write lock) open."""
    from django.db import connection
    from django.http import HttpResponse

    from ocs.middleware import OneCommitMiddleware

    reads_inside = []

    class Recording:
        def __init__(self, stream):
            self.stream = stream

        def read(self, *args):
            reads_inside.append(connection.in_atomic_block)
            return self.stream.read(*args)

        def readline(self, *args):
            reads_inside.append(connection.in_atomic_block)
            return self.stream.readline(*args)

    request = rf.post("/", {"subject": "Schoolreis", "body": "x" * 5000})
    request._stream = Recording(request._stream)
    views_saw = []

    def view(request):
        views_saw.append((connection.in_atomic_block, request.POST["subject"]))
        return HttpResponse()

    OneCommitMiddleware(view)(request)
    assert reads_inside and not any(reads_inside)
    assert views_saw == [(True, "Schoolreis")]
