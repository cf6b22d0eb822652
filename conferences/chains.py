""" "Plan alles aansluitend": the best chain of free times for a family's talks. Pure, no
database.

Two talks of one family never overlap; between talks with different teachers there is at
least the school's walking time. The best chain lies on one day, back to back, with the
shortest span from the first start to the last end (then the earliest). For a fixed order of
the children and a fixed first talk, taking each next child's earliest time that fits is
optimal (an earlier end never leaves fewer choices), so trying every order and every first
time finds the best chain.
"""

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import permutations


@dataclass(frozen=True)
class Option:
    key: Hashable  # the slot's id
    teacher: Hashable
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Busy:
    """A talk the family already has that the chain must leave room for."""

    teacher: Hashable
    start: datetime
    end: datetime


def clash(a, b, walk: timedelta) -> bool:
    """Two talks of one family that cannot both happen (overlap, or too little time to walk
    to another teacher's room)."""
    gap = timedelta(0) if a.teacher == b.teacher else walk
    return a.start < b.end + gap and b.start < a.end + gap


def chain_span(chain: Sequence[Option]) -> timedelta:
    return max(o.end for o in chain) - min(o.start for o in chain)


def waiting(chain: Sequence[Option]) -> timedelta:
    """Time between talks on the same day (a family with talks on two days waits only
    within each day)."""
    total = timedelta(0)
    by_day: dict = {}
    for o in chain:
        by_day.setdefault(o.start.date(), []).append(o)
    for talks in by_day.values():
        talks.sort(key=lambda o: o.start)
        for a, b in zip(talks, talks[1:], strict=False):
            total += max(timedelta(0), b.start - a.end)
    return total


def best_chain(
    needs: dict[Hashable, Sequence[Option]],
    *,
    walk: timedelta,
    busy: Sequence[Busy] = (),
    prefer: Callable[[Option], bool] | None = None,
) -> dict[Hashable, Option] | None:
    """One option per need (a child's talk), or None when no combination fits.

    With `prefer`, chains of preferred options only are tried first (a family's available
    times); then any."""
    if not needs:
        return {}
    if prefer is not None:
        liked = {k: [o for o in opts if prefer(o)] for k, opts in needs.items()}
        found = best_chain(liked, walk=walk, busy=busy)
        if found is not None:
            return found
    usable = {
        k: sorted(
            (o for o in opts if not any(clash(o, b, walk) for b in busy)), key=lambda o: o.start
        )
        for k, opts in needs.items()
    }
    if any(not opts for opts in usable.values()):
        return None
    best, best_score = None, None
    for order in permutations(usable):
        first, rest = order[0], order[1:]
        for start in usable[first]:
            chain = {first: start}
            previous = start
            for need in rest:
                nxt = next(
                    (
                        o
                        for o in usable[need]
                        if o.start.date() == start.start.date()
                        and o.start >= previous.end
                        and not any(clash(o, c, walk) for c in chain.values())
                    ),
                    None,
                )
                if nxt is None:
                    break
                chain[need] = previous = nxt
            else:
                score = (chain_span(list(chain.values())), start.start)
                if best_score is None or score < best_score:
                    best, best_score = chain, score
    if best is not None:
        return best
    return _spread(usable, walk)


def _spread(usable: dict[Hashable, list[Option]], walk: timedelta) -> dict[Hashable, Option] | None:
    """No one-day chain: the earliest free time per child, fewest choices first."""
    chain: dict[Hashable, Option] = {}
    for need in sorted(usable, key=lambda k: len(usable[k])):
        pick = next(
            (o for o in usable[need] if not any(clash(o, c, walk) for c in chain.values())), None
        )
        if pick is None:
            return None
        chain[need] = pick
    return chain
