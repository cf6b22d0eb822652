"""Two workers sending the same planned mailing at the same moment (PostgreSQL, threads)."""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connections
from django.utils import timezone

from lib.testing import postgresql_only
from mailings.drafts import scheduled_send
from mailings.models import Mailing, OutgoingMessage

pytestmark = [pytest.mark.django_db(transaction=True), postgresql_only()]
WORKERS = 2


def planned(world) -> Mailing:
    mailing = Mailing.objects.create(
        school=world.school,
        sender=world.anna,
        sender_name="Anna Docent",
        sender_email="anna@linde.test",
        subject="Race",
        body="Hoe vaak kom ik aan?",
        status=Mailing.Status.SCHEDULED,
        send_at=timezone.now() - timedelta(seconds=1),
    )
    mailing.groups.set([world.g3])
    return mailing


def race(mailing, *, lock: bool) -> tuple[list[str], list[Exception]]:
    barrier = threading.Barrier(WORKERS)
    results, errors = [], []

    def work():
        try:
            barrier.wait(timeout=10)
            results.append(scheduled_send(mailing_id=mailing.pk, lock=lock))
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_two_workers_turn_a_planned_mailing_into_mail_once(world):
    for _round in range(5):
        mailing = planned(world)
        results, errors = race(mailing, lock=True)
        assert not errors
        assert sorted(results) == ["", "sent"]
        # Petra, Quinten and the sender's copy: once each.
        assert OutgoingMessage.objects.filter(mailing=mailing).count() == 3


def test_without_the_row_lock_both_workers_send_it(world):
    """The race the lock prevents: both workers see the mailing still planned and both write
    its mail. The database's unique (mailing, address) constraint then refuses the second
    worker's rows, so it fails with an error instead of mailing every parent twice; the lock
    makes the second worker find the mailing sent and do nothing."""
    raced = 0
    for _round in range(10):
        mailing = planned(world)
        results, errors = race(mailing, lock=False)
        if errors:
            assert all(isinstance(e, IntegrityError) for e in errors)
            assert results == ["sent"]
            raced += 1
            break
    assert raced, "both workers never overlapped; the race was not shown"
