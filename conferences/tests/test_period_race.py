"""Families racing for the same chain of times, on PostgreSQL with real threads.

family_book claims every slot of a family's chain with the conditional UPDATE in one
transaction: one family gets the whole chain, the others get nothing (never half a chain,
never a slot twice). The naive chain below (read, think, write) shows the race is real."""

import threading
import time as clock
from datetime import time

import pytest
from django.db import connections, transaction
from django.utils import timezone

from conferences import periods
from conferences.models import ConferencePeriod, Slot
from conferences.services import ConferenceError, SlotTaken
from lib.testing import postgresql_only
from schools.models import Pupil

pytestmark = [pytest.mark.django_db(transaction=True), postgresql_only()]

FAMILIES = 8
RUNS = 4


def naive_chain(*, parent, period, choices, separate):
    """Check each slot is free, then write it unconditionally."""
    with transaction.atomic():
        slots = {key: Slot.objects.get(pk=slot_id) for key, slot_id in choices.items()}
        if any(slot.pupil_id is not None for slot in slots.values()):
            raise SlotTaken
        clock.sleep(0.05)  # the time a request takes between reading and writing
        for key, slot in slots.items():
            slot.pupil = Pupil.objects.get(public_id=key.split(":")[0])
            slot.booked_by, slot.booked_at = parent, timezone.now()
            slot.save(update_fields=["pupil", "booked_by", "booked_at"])


def race(book, jobs):
    barrier = threading.Barrier(len(jobs))
    winners, lock = [], threading.Lock()

    def run(parent, period, choices):
        try:
            barrier.wait(timeout=10)
            book(parent=parent, period=period, choices=choices, separate=set())
            with lock:
                winners.append(parent.pk)
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
    out = []
    for i in range(FAMILIES):
        kids = [
            Pupil.objects.create(
                school=world.school,
                number=f"F{i}{g.pk}",
                first_name=f"K{i}",
                last_name="R",
                group=g,
            )
            for g in (world.g3, world.g4)
        ]
        out.append((make_parent(world.school, f"fam{i}@example.nl", pupils=kids), kids))
    return out


def _period(world, first_day, run):
    plan = periods.PeriodSettings(
        name=f"Ronde {run}",
        mode=ConferencePeriod.Mode.FIRST_COME,
        groups=(world.g3, world.g4),
        duration_minutes=10,
        per_block=6,
        break_minutes=0,
        start_date=first_day,
        start_time=time(8 + 2 * run, 0),
        end_time=time(10 + 2 * run, 0),
        spare=0,
    )
    period = periods.period_create(staff=world.dirk, plan=plan)
    periods.period_open(period=period)
    return period


def _jobs(period, families):
    """Every family wants the same chain: Anna's first time and Bram's second."""
    jobs = []
    for parent, _kids in families:
        needs = periods.family_needs(parent=parent, period=period)
        choices = {
            n.key: n.options[0 if n.conference.group.name == "Groep 3" else 2].pk for n in needs
        }
        jobs.append((parent, period, choices))
    return jobs


def test_racing_families_get_a_whole_chain_or_nothing(world, first_day, families):
    for run in range(RUNS):
        period = _period(world, first_day, run)
        winners = race(periods.family_book, _jobs(period, families))
        assert len(winners) == 1
        held = Slot.objects.filter(round__period_link__period=period, pupil__isnull=False)
        by_parent = {}
        for slot in held:
            by_parent.setdefault(slot.booked_by_id, []).append(slot.pupil_id)
        assert list(by_parent) == winners and len(by_parent[winners[0]]) == 2


def test_without_the_conditional_update_two_families_win_one_chain(world, first_day, families):
    doubled = 0
    for run in range(RUNS):
        period = _period(world, first_day, run)
        winners = race(naive_chain, _jobs(period, families))
        if len(winners) > 1:
            doubled += 1
    print(f"naive chain: more than one family 'won' the same chain in {doubled} of {RUNS} runs")
    assert doubled >= 1
