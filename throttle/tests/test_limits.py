"""Rate limits count in the database, atomically, so they hold across web processes."""

import threading
import time

import pytest
from django.db import connection, connections

from lib.testing import postgresql_only
from throttle.limits import Limit, rate_counters_expire, rate_hit
from throttle.models import RateCounter

FIVE = Limit("test-five", 5, 3600)


def test_a_limit_lets_through_its_number_of_hits_and_then_refuses(db):
    answers = [rate_hit(FIVE, "petra@example.nl") for _ in range(7)]
    assert answers == [True] * 5 + [False, False]
    assert rate_hit(FIVE, "PETRA@example.nl ") is False  # the same address, written otherwise
    assert rate_hit(FIVE, "quinten@example.nl") is True
    # Only a digest of the address is stored.
    assert not RateCounter.objects.filter(key__contains="petra").exists()


def test_a_new_window_starts_counting_again(db, monkeypatch):
    for _ in range(5):
        rate_hit(FIVE, "k")
    assert rate_hit(FIVE, "k") is False
    later = time.time() + 3600
    monkeypatch.setattr(time, "time", lambda: later)
    assert rate_hit(FIVE, "k") is True


def test_old_windows_are_removed(db, monkeypatch):
    rate_hit(FIVE, "k")
    later = time.time() + 3 * 24 * 3600
    monkeypatch.setattr(time, "time", lambda: later)
    assert rate_counters_expire() == 1
    assert not RateCounter.objects.exists()


def _naive_hit(limit: Limit, subject: str) -> bool:
    """What the upsert replaces: read, then write. Two processes read the same count."""
    window = int(time.time()) // limit.seconds * limit.seconds
    row, _ = RateCounter.objects.get_or_create(key=subject, window_start=window)
    seen = row.hits
    time.sleep(0.02)
    RateCounter.objects.filter(pk=row.pk).update(hits=seen + 1)
    return seen + 1 <= limit.hits


def _rush(hit, threads: int = 12) -> int:
    start, allowed, lock = threading.Event(), [], threading.Lock()

    def one():
        start.wait()
        try:
            ok = hit(FIVE, "rush")
            with lock:
                allowed.append(ok)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=one) for _ in range(threads)]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join()
    return sum(allowed)


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_never_let_more_through_than_the_limit():
    assert connection.vendor == "postgresql"
    assert _rush(rate_hit) == 5
    assert RateCounter.objects.get().hits == 12


@postgresql_only()
@pytest.mark.django_db(transaction=True)
def test_without_the_upsert_a_rush_gets_past_the_limit():
    """The same rush against read-then-write: more than five get through."""
    assert _rush(_naive_hit) > 5
