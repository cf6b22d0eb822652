"""Preference mode: plan a whole period at once with a constraint solver (OR-Tools CP-SAT).
Pure: no database; conferences.planning turns the period into a Problem and back.

Hard rules: a time holds at most one talk; a talk only takes its own teacher's times (the
generator's times, so the teachers' breaks hold); a parent's talks never overlap, with the
walking time between them. Goals, in this order (each stage keeps the previous stage's
result and improves the next, so no family pays for another's convenience):
  1. place as many talks as possible, then as many families entirely inside the times they
     said they can come;
  2. the worst-off family's waiting (first start to last end, minus its talks) as small as
     possible;
  3. the total waiting as small as possible.
"""

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field

DAY = 24 * 60  # minutes; times are minutes from the first day's midnight


@dataclass(frozen=True)
class PSlot:
    id: Hashable
    teacher: Hashable
    start: int
    end: int


@dataclass(frozen=True)
class Talk:
    id: Hashable
    teacher: Hashable
    parents: tuple  # who comes: a family's parents (one, for a separate household talk)


@dataclass
class Problem:
    slots: list[PSlot]
    talks: list[Talk]
    walk: int
    # parent -> [(start, end)] they can come; a parent not in here can come at any time
    windows: dict[Hashable, list[tuple[int, int]]] = field(default_factory=dict)

    def inside(self, parent, slot: PSlot) -> bool:
        spans = self.windows.get(parent)
        return spans is None or any(a <= slot.start and slot.end <= b for a, b in spans)


@dataclass
class Result:
    placed: dict  # talk id -> slot id
    reasons: dict  # talk id -> Dutch-free reason code: "teacher_full" or "family_clash"
    status: str
    seconds: float
    stages: list = field(default_factory=list)


def clash(a: PSlot, b: PSlot, walk: int) -> bool:
    gap = 0 if a.teacher == b.teacher else walk
    return a.start < b.end + gap and b.start < a.end + gap


def greedy(problem: Problem) -> dict:
    """A first plan to start the solver from: families with the most talks first (then the
    fewest available minutes), each taking the best back-to-back chain of free times it can
    come at (conferences.chains), else any chain that fits, else each talk's first free time
    that fits."""
    from datetime import datetime, timedelta

    from conferences.chains import Option, best_chain

    epoch = datetime(2000, 1, 1)
    by_teacher = defaultdict(list)
    for s in problem.slots:
        by_teacher[s.teacher].append(s)
    slot_of = {s.id: s for s in problem.slots}
    free = set(slot_of)
    groups = defaultdict(list)  # talks booked together: the same set of parents
    for talk in problem.talks:
        groups[talk.parents].append(talk)

    def minutes_free(parents):
        spans = [problem.windows.get(p) for p in parents]
        if any(s is None for s in spans) or not parents:
            return 10**9
        return sum(b - a for span in spans for a, b in span)

    def strict(a: PSlot, b: PSlot) -> bool:
        # The solver leaves the walking time between all of a parent's talks, also two
        # with one teacher (twins), so the first plan does too.
        return a.start < b.end + problem.walk and b.start < a.end + problem.walk

    order = sorted(groups, key=lambda ps: (-len(groups[ps]), minutes_free(ps)))
    placed: dict = {}
    busy: dict = defaultdict(list)  # parent -> slots taken
    for parents in order:

        def option(s, talk):
            return Option(
                key=s.id,
                teacher=(s.teacher, talk.id),
                start=epoch + timedelta(minutes=s.start),
                end=epoch + timedelta(minutes=s.end),
            )

        needs = {
            talk.id: [
                option(s, talk)
                for s in by_teacher.get(talk.teacher, [])
                if s.id in free and not any(strict(s, b) for p in parents for b in busy[p])
            ]
            for talk in groups[parents]
        }
        chain = best_chain(
            needs,
            walk=timedelta(minutes=problem.walk),
            prefer=lambda o, ps=parents: all(problem.inside(p, slot_of[o.key]) for p in ps),
        )
        if chain is None:
            chain = {}
            for key, options in needs.items():
                pick = next(
                    (
                        o
                        for o in options
                        if o.key in free
                        and not any(strict(slot_of[o.key], slot_of[c.key]) for c in chain.values())
                    ),
                    None,
                )
                if pick is not None:
                    chain[key] = pick
        for key, o in chain.items():
            free.discard(o.key)
            placed[key] = o.key
            for p in parents:
                busy[p].append(slot_of[o.key])
    return placed


def solve(problem: Problem, *, time_limit: float = 25.0, workers: int = 2, seed: int = 0):
    import time

    from ortools.sat.python import cp_model

    began = time.perf_counter()
    Sum, Weighted = cp_model.LinearExpr.sum, cp_model.LinearExpr.weighted_sum
    by_teacher = defaultdict(list)
    for s in problem.slots:
        by_teacher[s.teacher].append(s)
    model = cp_model.CpModel()
    x = {}  # (talk index, slot id) -> bool
    takers = defaultdict(list)  # slot id -> its x variables
    placed, starts = [], []
    for i, talk in enumerate(problem.talks):
        options = by_teacher.get(talk.teacher, [])
        row = []
        for s in options:
            var = x[i, s.id] = model.new_bool_var("")
            takers[s.id].append(var)
            row.append(var)
        p = model.new_bool_var("")
        model.add(Sum(row) == p)
        lo = min((s.start for s in options), default=0)
        hi = max((s.start for s in options), default=0)
        start = model.new_int_var(lo, hi, "")
        model.add(start == Weighted(row, [s.start for s in options])).only_enforce_if(p)
        placed.append(p)
        starts.append(start)
    for row in takers.values():
        if len(row) > 1:
            model.add_at_most_one(row)
    talks_of = defaultdict(list)
    for i, talk in enumerate(problem.talks):
        for parent in talk.parents:
            talks_of[parent].append(i)
    # A parent's talks never overlap; the walk pads each talk's end.
    duration = [
        (by_teacher[t.teacher][0].end - by_teacher[t.teacher][0].start)
        if by_teacher.get(t.teacher)
        else 0
        for t in problem.talks
    ]
    padded = {}
    for mine in talks_of.values():
        if len(mine) > 1:
            for i in mine:
                if i not in padded:
                    padded[i] = model.new_optional_fixed_size_interval_var(
                        starts[i], duration[i] + problem.walk, placed[i], ""
                    )
            model.add_no_overlap([padded[i] for i in mine])
    # Inside the parent's times: every talk of the family placed on a time it can come.
    family_ok = {}
    for parent, mine in talks_of.items():
        ok = model.new_bool_var("")
        for i in mine:
            good = [
                x[i, s.id]
                for s in by_teacher.get(problem.talks[i].teacher, [])
                if problem.inside(parent, s)
            ]
            model.add_bool_or(good).only_enforce_if(ok)
        family_ok[parent] = ok
    # Waiting per parent with several talks: span minus the talks themselves.
    waits, spans = [], []
    horizon = max((s.end for s in problem.slots), default=0) + DAY
    for mine in talks_of.values():
        if len(mine) < 2:
            continue
        lo = model.new_int_var(0, horizon, "")
        hi = model.new_int_var(0, horizon, "")
        for i in mine:
            model.add(lo <= starts[i]).only_enforce_if(placed[i])
            model.add(hi >= starts[i] + duration[i]).only_enforce_if(placed[i])
        wait = model.new_int_var(0, horizon, "")
        model.add(
            wait >= hi - lo - Weighted([placed[i] for i in mine], [duration[i] for i in mine])
        )
        waits.append(wait)
        spans.append((mine, lo, hi, wait))
    worst = model.new_int_var(0, horizon, "worst")
    for w in waits:
        model.add(worst >= w)

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.symmetry_level = 0
    solver.parameters.cp_model_presolve = False
    stages = []

    def run(objective, maximize: bool, name: str, left: int):
        if maximize:
            model.maximize(objective)
        else:
            model.minimize(objective)
        budget = (time_limit - (time.perf_counter() - began)) / left
        solver.parameters.max_time_in_seconds = max(0.5, budget)
        status = solver.solve(model)
        stages.append((name, solver.status_name(status), solver.wall_time))
        return status in (cp_model.OPTIMAL, cp_model.FEASIBLE)

    def hint():
        # Every variable from the last solution: the next stage starts from it at once.
        values = solver.response_proto.solution
        model.clear_hints()
        for index, value in enumerate(values):
            model.add_hint(model.get_int_var_from_proto_index(index), value)

    start_plan = greedy(problem)
    index = {t.id: i for i, t in enumerate(problem.talks)}
    chosen = {(index[t], sid) for t, sid in start_plan.items()}
    # A complete hint: the solver starts from the greedy plan as its first solution.
    slot_start = {s.id: s.start for s in problem.slots}
    at = {i: slot_start[sid] for i, sid in chosen}
    for key, var in x.items():
        model.add_hint(var, 1 if key in chosen else 0)
    for i in range(len(problem.talks)):
        model.add_hint(placed[i], 1 if i in at else 0)
        model.add_hint(starts[i], at.get(i, starts[i].proto.domain[0]))
    for parent, ok in family_ok.items():
        good = all(
            i in at and problem.inside(parent, PSlot(None, None, at[i], at[i] + duration[i]))
            for i in talks_of[parent]
        )
        model.add_hint(ok, 1 if good else 0)
    worst_hint = 0
    for mine, lo, hi, wait in spans:
        got = [i for i in mine if i in at]
        lo_v = min((at[i] for i in got), default=0)
        hi_v = max((at[i] + duration[i] for i in got), default=0)
        w = max(0, hi_v - lo_v - sum(duration[i] for i in got))
        model.add_hint(lo, lo_v)
        model.add_hint(hi, hi_v)
        model.add_hint(wait, w)
        worst_hint = max(worst_hint, w)
    model.add_hint(worst, worst_hint)
    # Fairness before convenience: no plan leaves the worst-off family worse than the first
    # plan does, however many others it would bring inside their times.
    model.add(worst <= worst_hint)
    n = len(problem.talks) + 1
    first = Sum(placed) * n + Sum(list(family_ok.values()))
    # Without a solution in time, the greedy plan stands (it keeps every hard rule).
    best = {key: int(key in chosen) for key in x}
    if run(first, True, "placed_and_inside", 3):
        best = {key: solver.value(var) for key, var in x.items()}
        model.add(first >= int(solver.objective_value))
        hint()
    if waits and stages[-1][1] in ("OPTIMAL", "FEASIBLE") and run(worst, False, "worst_wait", 2):
        best = {key: solver.value(var) for key, var in x.items()}
        model.add(worst <= int(solver.objective_value))
        hint()
        if run(Sum(waits), False, "total_wait", 1):
            best = {key: solver.value(var) for key, var in x.items()}
    result = {}
    for (i, slot_id), value in best.items():
        if value:
            result[problem.talks[i].id] = slot_id
    used = set(result.values())
    reasons = {}
    for talk in problem.talks:
        if talk.id in result:
            continue
        free = [s for s in by_teacher.get(talk.teacher, []) if s.id not in used]
        reasons[talk.id] = "family_clash" if free else "teacher_full"
    return Result(
        placed=result,
        reasons=reasons,
        status=stages[-1][1],
        seconds=sum(s[2] for s in stages),
        stages=stages,
    )
