"""Two workers claiming from the outbox at the same time (PostgreSQL, real threads)."""

import threading
from collections import Counter

import pytest
from django.db import connections
from django.utils import timezone

from lib.testing import postgresql_only
from mailings.delivery import outbox_deliver
from mailings.models import Mailing, OutgoingMessage

pytestmark = [
    pytest.mark.django_db(transaction=True),
    postgresql_only(),
]
WORKERS = 4
MESSAGES = 120


def fill_outbox(world) -> None:
    mailing = Mailing.objects.create(
        school=world.school,
        sender=world.anna,
        sender_name="Anna Docent",
        sender_email="anna@linde.test",
        subject="Race",
        body="Wie stuurt mij?",
    )
    now = timezone.now()
    OutgoingMessage.objects.bulk_create(
        OutgoingMessage(mailing=mailing, email=f"ouder{i}@example.nl", next_attempt_at=now)
        for i in range(MESSAGES)
    )


def run_workers(protect: bool) -> list[int]:
    barrier = threading.Barrier(WORKERS)
    errors = []

    def work():
        try:
            barrier.wait(timeout=10)
            outbox_deliver(protect=protect)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    return errors


def test_two_workers_never_send_the_same_message(smtp, world):
    fill_outbox(world)
    run_workers(protect=True)
    counts = Counter(smtp.handler.recipients())
    assert len(counts) == MESSAGES
    assert max(counts.values()) == 1
    assert set(OutgoingMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert set(OutgoingMessage.objects.values_list("attempts", flat=True)) == {1}


def test_without_the_claim_protection_workers_do_send_duplicates(smtp, world):
    """Shows the race the protection prevents: same set-up, plain read-then-update claim."""
    duplicates = 0
    for _round in range(5):
        OutgoingMessage.objects.all().delete()
        Mailing.objects.all().delete()
        smtp.handler.received.clear()
        fill_outbox(world)
        run_workers(protect=False)
        counts = Counter(smtp.handler.recipients())
        duplicates += sum(n - 1 for n in counts.values())
        if duplicates:
            break
    assert duplicates > 0
