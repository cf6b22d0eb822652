"""Many parents racing for few slots, on PostgreSQL with real threads and connections.

The protected claim (services.slot_book: conditional UPDATE + unique constraint) never gives a
slot to two families and never gives a child two slots. The unprotected claim below (read,
think, write) shows the race is real: it double-books in at least one of the runs."""

import threading
import time as clock
from datetime import time

import pytest
from django.db import connections, transaction
from django.utils import timezone

from conferences.models import Slot
from conferences.services import ConferenceError, slot_book
from lib.testing import postgresql_only
from schools.models import Parent, Pupil

pytestmark = [
    pytest.mark.django_db(transaction=True),
    postgresql_only(),
]

FAMILIES = 12
SLOTS = 3
RUNS = 5


def naive_claim(*, parent, conference, pupil, slot_id):
    """The bug this app avoids: check the slot is free, then write it unconditionally."""
    with transaction.atomic():
        slot = Slot.objects.get(pk=slot_id)
        if slot.pupil_id is not None:
            raise ConferenceError("bezet")
        clock.sleep(0.01)  # the time a request takes between reading and writing
        slot.pupil, slot.booked_by, slot.booked_at = pupil, parent, timezone.now()
        slot.save(update_fields=["pupil", "booked_by", "booked_at"])
        return slot


def race(claim, jobs):
    """Run every (parent, conference, pupil, slot_id) at the same moment; return winners."""
    barrier = threading.Barrier(len(jobs))
    winners, lock = [], threading.Lock()

    def run(parent, conference, pupil, slot_id):
        try:
            barrier.wait(timeout=10)
            claim(parent=parent, conference=conference, pupil=pupil, slot_id=slot_id)
            with lock:
                winners.append((slot_id, pupil.pk))
        except ConferenceError:
            pass
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return winners


@pytest.fixture
def families(world, make_parent):
    pairs = []
    for i in range(FAMILIES):
        kid = Pupil.objects.create(
            school=world.school,
            number=f"R{i}",
            first_name=f"Kind{i}",
            last_name="R",
            group=world.g3,
        )
        pairs.append((make_parent(world.school, f"race{i}@example.nl", pupils=[kid]), kid))
    return pairs


def test_racing_parents_never_get_one_slot_twice(world, make_round, families):
    attempts = booked_count = 0
    for run in range(RUNS):
        conference = make_round(total=SLOTS, start=time(9 + run, 0), end=time(10 + run, 0))
        slot_ids = list(conference.slots.values_list("pk", flat=True))
        jobs = [
            (parent, conference, kid, slot_ids[i % SLOTS])
            for i, (parent, kid) in enumerate(families)
        ]
        winners = race(slot_book, jobs)
        won_slots = [slot for slot, _kid in winners]
        assert len(won_slots) == len(set(won_slots)) == SLOTS  # each slot exactly one winner
        booked = dict(Slot.objects.filter(round=conference).values_list("pk", "pupil_id"))
        assert booked == {slot: kid for slot, kid in winners}  # the winners are the bookings
        attempts += len(jobs)
        booked_count += len(winners)
    print(f"protected claim: {attempts} racing attempts, {booked_count} bookings, 0 doubles")


def test_two_parents_of_one_child_racing_for_different_slots_get_one_slot(world, make_round):
    for run in range(RUNS):
        conference = make_round(total=4, start=time(9 + run, 0), end=time(10 + run, 0))
        Slot.objects.filter(pupil=world.sam).update(pupil=None)
        slot_ids = list(conference.slots.values_list("pk", flat=True))
        jobs = [
            (world.petra, conference, world.sam, slot_ids[0]),
            (world.quinten, conference, world.sam, slot_ids[1]),
        ]
        winners = race(slot_book, jobs)
        # One wins, or the later one changes the earlier booking; never two slots.
        assert winners
        held = list(Slot.objects.filter(round=conference, pupil=world.sam).values_list("pk"))
        assert len(held) == 1 and held[0][0] in {slot for slot, _kid in winners}


def test_without_the_conditional_update_the_race_double_books(world, make_round, families):
    double_booked_runs = 0
    for run in range(RUNS):
        conference = make_round(total=SLOTS, start=time(9 + run, 0), end=time(10 + run, 0))
        slot_ids = list(conference.slots.values_list("pk", flat=True))
        jobs = [
            (parent, conference, kid, slot_ids[i % SLOTS])
            for i, (parent, kid) in enumerate(families)
        ]
        winners = race(naive_claim, jobs)
        won_slots = [slot for slot, _kid in winners]
        if len(won_slots) > len(set(won_slots)):
            double_booked_runs += 1
    print(f"naive claim double-booked in {double_booked_runs} of {RUNS} runs")
    assert double_booked_runs >= 1


def _slow_commit(monkeypatch):
    """Hold each booking open a moment after its claim, as a busy server would."""
    from conferences import services

    real = services._confirm_later

    def slow(**kwargs):
        real(**kwargs)
        clock.sleep(0.15)

    monkeypatch.setattr(services, "_confirm_later", slow)


def _siblings_race(world, make_round, claim_rounds: int) -> int:
    """Petra books Sam and Quinten books Sam's sister Lotte at the same time of day, at the
    same moment. Returns in how many runs both talks were booked on top of each other."""
    overlaps = 0
    for run in range(claim_rounds):
        start, end = time(9 + run, 0), time(10 + run, 0)
        sam_round = make_round(group=world.g3, total=1, start=start, end=end)
        lotte_round = make_round(group=world.g4, staff=world.bram, total=1, start=start, end=end)
        jobs = [
            (world.petra, sam_round, world.sam, sam_round.slots.get().pk),
            (world.quinten, lotte_round, world.lotte, lotte_round.slots.get().pk),
        ]
        if len(race(slot_book, jobs)) == 2:
            overlaps += 1
    return overlaps


def test_separated_parents_booking_siblings_at_once_never_overlap(world, make_round, monkeypatch):
    _slow_commit(monkeypatch)
    assert _siblings_race(world, make_round, RUNS) == 0


def test_without_the_household_lock_siblings_get_overlapping_talks(world, make_round, monkeypatch):
    from conferences import services

    _slow_commit(monkeypatch)

    def own_row_only(parent, pupil):
        rows = Parent.objects.select_for_update().filter(pk=parent.pk, is_blocked=False)
        return rows.exists()

    monkeypatch.setattr(services, "_lock_household", own_row_only)
    overlaps = _siblings_race(world, make_round, RUNS)
    print(f"without the household lock: overlapping sibling talks in {overlaps} of {RUNS} runs")
    assert overlaps >= 1
