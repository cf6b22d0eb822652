"""The maximum holds under concurrent sign-ups (PostgreSQL only: SQLite ignores row locks).

100 parents race for 3 places, five rounds; exactly 3 get in each time and the others get the
"vol" message. The same race without the row lock lets more than 3 in, which shows the test
can fail. The window between counting and inserting is widened with a short sleep in both
tests, so the unprotected race shows reliably and the protected one is tested at its worst.
"""

import threading
import time
from collections import Counter

import pytest
from django.db import connections

from lib.testing import postgresql_only
from schools.models import Guardianship, Parent, Pupil
from specialgroups import services
from specialgroups.models import Signup

pytestmark = [
    pytest.mark.django_db(transaction=True),
    postgresql_only(),
]

PARENTS = 100
PLACES = 3
ROUNDS = 5
# PostgreSQL allows 100 connections, shared with other test runs on this machine: at most this
# many threads hold a connection at once (the rest queue for the semaphore and race after them).
MAX_CONNECTIONS = 40


@pytest.fixture
def racers(world):
    kid = Pupil.objects.create(
        school=world.school, number="race", first_name="Race", last_name="Kind", group=world.g3
    )
    parents = Parent.objects.bulk_create(
        Parent(school=world.school, first_name=f"Ouder{i}", last_name="Race", email="")
        for i in range(PARENTS)
    )
    Guardianship.objects.bulk_create(Guardianship(parent=p, pupil=kid) for p in parents)
    return list(Parent.objects.filter(last_name="Race"))


@pytest.fixture
def wide_window(monkeypatch):
    monkeypatch.setattr(services, "_between_count_and_insert", lambda: time.sleep(0.02))


def race(special_group, parents, *, lock: bool) -> Counter:
    start = threading.Event()
    gate = threading.BoundedSemaphore(MAX_CONNECTIONS)
    outcomes: Counter = Counter()
    mutex = threading.Lock()

    def one(parent):
        start.wait()
        with gate:
            try:
                services.signup_create(special_group=special_group, parent=parent, lock=lock)
                outcome = "in"
            except services.SignupFull:
                outcome = "vol"
            except Exception as exc:  # noqa: BLE001 - any other outcome fails the test
                outcome = type(exc).__name__
            finally:
                connections.close_all()
        with mutex:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=one, args=(p,)) for p in parents]
    for t in threads:
        t.start()
    start.set()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_one_hundred_parents_racing_for_three_places_never_exceed_the_maximum(
    world, racers, wide_window, make_special_group
):
    for round_no in range(ROUNDS):
        trip = make_special_group(
            world.school,
            f"Race {round_no}",
            activity=True,
            max_participants=PLACES,
            eligible_groups=[world.g3],
        )
        outcomes = race(trip, racers, lock=True)
        assert outcomes == Counter({"in": PLACES, "vol": PARENTS - PLACES})
        assert Signup.objects.filter(special_group=trip).count() == PLACES


def test_without_the_row_lock_the_same_race_exceeds_the_maximum(
    world, racers, wide_window, make_special_group
):
    counts = []
    for round_no in range(ROUNDS):
        trip = make_special_group(
            world.school,
            f"Onbeschermd {round_no}",
            activity=True,
            max_participants=PLACES,
            eligible_groups=[world.g3],
        )
        race(trip, racers, lock=False)
        counts.append(Signup.objects.filter(special_group=trip).count())
        if counts[-1] > PLACES:
            break
    print(f"sign-ups per round without the lock (maximum {PLACES}): {counts}")
    assert max(counts) > PLACES
