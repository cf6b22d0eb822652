"""Preference-mode planner against first come, first served, on one generated school.

A school of --families families (one to three children; some separated parents who each
want their own talk), --teachers teachers with one group each, two evenings of 10-minute
talks from the manual's generator (a break after every six). Every family says when it can
come (one evening or both, a window of a few hours, or any time).

First come, first served: the families arrive in a random order; each takes
"Plan alles aansluitend" (conferences.chains.best_chain) with the times it can come
preferred, else whatever free times fit, else each child's first free time.
Preference mode: one solve of the whole school (conferences.planner.solve) with 2 workers.

Prints the measures side by side, then RATIO lines (above 1: preference mode is better)
and ERRORS (broken rules in either plan: a time used twice, a family's overlapping talks or
too little walking time, a talk neither placed nor explained).

    .venv/bin/python bench/planner_bench.py [--families 600 --teachers 25 --seed 1]
"""

import random
import sys
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import parse_args, report  # noqa: E402
from conferences.chains import Option, best_chain  # noqa: E402
from conferences.planner import DAY, Problem, PSlot, Talk, clash, solve  # noqa: E402
from conferences.slots import generate_slots  # noqa: E402

WALK = 5
EPOCH = datetime(2026, 1, 1)


def school(families: int, teachers: int, rng: random.Random) -> Problem:
    days = [date(2026, 1, 1), date(2026, 1, 2)]
    slots = []
    for teacher in range(teachers):
        generation = generate_slots(
            days=days,
            start=datetime(2026, 1, 1, 17, 0).time(),
            end=datetime(2026, 1, 1, 21, 30).time(),
            duration=10,
            total=48,
            per_block=6,
            break_minutes=10,
        )
        for k, s in enumerate(generation.slots):
            day = (s.day - days[0]).days * DAY
            start = day + s.start.hour * 60 + s.start.minute
            end = day + s.end.hour * 60 + s.end.minute
            slots.append(PSlot(id=(teacher, k), teacher=teacher, start=start, end=end))
    talks, windows = [], {}
    load = defaultdict(int)  # talks per teacher: the school makes enough times (48 each)
    for f in range(families):
        kids = rng.choices([1, 2, 3], weights=[45, 40, 15])[0]
        separated = rng.random() < 0.06
        need = 2 if separated else 1
        groups = []
        for _ in range(kids):
            options = [t for t in range(teachers) if load[t] + need <= 48] or list(range(teachers))
            t = rng.choice(options)
            load[t] += need
            groups.append(t)
        parents = [f"f{f}a", f"f{f}b"] if separated else [f"f{f}"]
        for parent in parents:
            roll = rng.random()
            if roll < 0.15:
                continue  # any time
            spans = []
            evenings = [0, 1] if roll > 0.75 else [rng.choice([0, 1])]
            for e in evenings:
                length = rng.choice([90, 120, 150])
                lo = 17 * 60 + rng.choice(range(0, 270 - length + 1, 30))
                spans.append((e * DAY + lo, e * DAY + lo + length))
            windows[parent] = spans
        for c, teacher in enumerate(groups):
            for parent in parents:
                talks.append(Talk(id=(f, c, parent), teacher=teacher, parents=(parent,)))
    return Problem(slots=slots, talks=talks, walk=WALK, windows=windows)


def fcfs(problem: Problem, rng: random.Random) -> dict:
    """Each parent in a random order books their talks with the chain, as the portal does."""
    by_teacher = defaultdict(list)
    for s in problem.slots:
        by_teacher[s.teacher].append(s)
    free = {s.id for s in problem.slots}
    as_dt = {
        s.id: (EPOCH + timedelta(minutes=s.start), EPOCH + timedelta(minutes=s.end))
        for s in problem.slots
    }
    slot_of = {s.id: s for s in problem.slots}
    mine = defaultdict(list)
    for talk in problem.talks:
        mine[talk.parents[0]].append(talk)
    order = list(mine)
    rng.shuffle(order)
    placed = {}
    for parent in order:
        needs = {
            talk.id: [
                Option(key=s.id, teacher=s.teacher, start=as_dt[s.id][0], end=as_dt[s.id][1])
                for s in by_teacher[talk.teacher]
                if s.id in free
            ]
            for talk in mine[parent]
        }
        chain = best_chain(
            needs,
            walk=timedelta(minutes=WALK),
            prefer=lambda o, p=parent: problem.inside(p, slot_of[o.key]),
        )
        if chain is None:  # no combination: each child's first free time that fits
            chain = {}
            for key, options in needs.items():
                pick = next(
                    (
                        o
                        for o in options
                        if o.key in free
                        and not any(
                            clash(slot_of[o.key], slot_of[c.key], WALK) for c in chain.values()
                        )
                    ),
                    None,
                )
                if pick is not None:
                    chain[key] = pick
        for key, option in chain.items():
            free.discard(option.key)
            placed[key] = option.key
    return placed


def measures(problem: Problem, placed: dict) -> dict:
    slots = {s.id: s for s in problem.slots}
    per_parent = defaultdict(list)
    for talk in problem.talks:
        per_parent[talk.parents[0]].append(talk)
    family_of = {p: p.rstrip("ab") if p[-1] in "ab" else p for p in per_parent}
    families = defaultdict(list)
    for parent, family in family_of.items():
        families[family].append(parent)
    inside, waits, split = 0, [], 0
    for members in families.values():
        ok, worst = True, 0
        for parent in members:
            talks = per_parent[parent]
            got = [slots[placed[t.id]] for t in talks if t.id in placed]
            if len(got) < len(talks) or not all(problem.inside(parent, s) for s in got):
                ok = False
            wait = 0
            days = defaultdict(list)
            for s in got:
                days[s.start // DAY].append(s)
            if len(days) > 1:
                split += 1
            for day in days.values():
                day.sort(key=lambda s: s.start)
                wait += sum(max(0, b.start - a.end) for a, b in zip(day, day[1:], strict=False))
            worst = max(worst, wait)
        inside += ok
        waits.append(worst)
    separated = [members for members in families.values() if len(members) > 1]
    met = sum(
        all(t.id in placed for parent in members for t in per_parent[parent])
        for members in separated
    )
    multi = [
        w
        for w, members in zip(waits, families.values(), strict=True)
        if sum(len(per_parent[p]) for p in members) > 1
    ]
    return {
        "families": len(families),
        "talks placed": f"{len(placed)} / {len(problem.talks)}",
        "inside availability": inside / len(families),
        "average waiting (min)": sum(multi) / max(1, len(multi)),
        "worst waiting (min)": max(multi, default=0),
        "split over two evenings": split,
        "separate households met": f"{met} / {len(separated)}",
        "_met": met,
        "_placed": len(placed),
    }


def broken(problem: Problem, placed: dict, reasons: dict) -> int:
    slots = {s.id: s for s in problem.slots}
    errors = len(placed) - len(set(placed.values()))
    talks = {t.id: t for t in problem.talks}
    errors += sum(slots[s].teacher != talks[t].teacher for t, s in placed.items())
    per_parent = defaultdict(list)
    for t, s in placed.items():
        for parent in talks[t].parents:
            per_parent[parent].append(slots[s])
    for mine in per_parent.values():
        errors += sum(clash(a, b, WALK) for i, a in enumerate(mine) for b in mine[i + 1 :])
    if reasons is not None:
        errors += len(set(talks) - set(placed) - set(reasons))
    return errors


def main() -> None:
    args = parse_args(__doc__, None, families=600, teachers=25, seed=1, time_limit=25.0)
    rng = random.Random(args.seed)
    problem = school(args.families, args.teachers, rng)
    print(
        f"school: {args.families} families, {len(problem.talks)} talks, "
        f"{args.teachers} teachers, {len(problem.slots)} times on two evenings"
    )
    first_come = fcfs(problem, random.Random(args.seed + 1))
    import ortools.sat.python.cp_model  # noqa: F401  (the import is not the solver's time)

    started = time.perf_counter()
    result = solve(problem, time_limit=args.time_limit, workers=2, seed=args.seed)
    seconds = time.perf_counter() - started
    print(
        f"solver: {seconds:.1f} s on 2 workers (first plan, model and solve), stages "
        f"{[(n, s, round(t, 1)) for n, s, t in result.stages]}"
    )
    a, b = measures(problem, first_come), measures(problem, result.placed)
    print(f"{'':28}{'first come':>14}{'preference':>14}")
    for key in a:
        if key.startswith("_"):
            continue
        fa, fb = a[key], b[key]
        fmt = (
            (lambda v: f"{v:.1%}")
            if key == "inside availability"
            else (lambda v: f"{v:.1f}" if isinstance(v, float) else str(v))
        )
        print(f"{key:28}{fmt(fa):>14}{fmt(fb):>14}")
    errors = broken(problem, first_come, None) + broken(problem, result.placed, result.reasons)
    report(
        {
            "solver_seconds": seconds,
            "inside_availability_pref_over_fcfs": b["inside availability"]
            / max(1e-9, a["inside availability"]),
            "average_wait_fcfs_over_pref": a["average waiting (min)"]
            / max(1e-9, b["average waiting (min)"]),
            "worst_wait_fcfs_over_pref": a["worst waiting (min)"]
            / max(1e-9, b["worst waiting (min)"]),
            "separate_met_pref_over_fcfs": b["_met"] / max(1, a["_met"]),
            "placed_pref_over_fcfs": b["_placed"] / max(1, a["_placed"]),
        },
        errors,
    )


if __name__ == "__main__":
    main()
