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


def solve(problem: Problem, *, time_limit: float = 25.0, workers: int = 2, seed: int = 0):
    from ortools.sat.python import cp_model

    by_teacher = defaultdict(list)
    for s in problem.slots:
        by_teacher[s.teacher].append(s)
    model = cp_model.CpModel()
    x = {}  # (talk index, slot id) -> bool
    placed, starts, ends = [], [], []
    for i, talk in enumerate(problem.talks):
        options = by_teacher.get(talk.teacher, [])
        for s in options:
            x[i, s.id] = model.new_bool_var(f"x{i}_{s.id}")
        p = model.new_bool_var(f"p{i}")
        model.add(sum(x[i, s.id] for s in options) == p)
        lo = min((s.start for s in options), default=0)
        hi = max((s.end for s in options), default=0)
        start = model.new_int_var(lo, max(lo, hi), f"s{i}")
        end = model.new_int_var(lo, max(lo, hi) + problem.walk, f"e{i}")
        model.add(start == sum(x[i, s.id] * s.start for s in options)).only_enforce_if(p)
        model.add(end == sum(x[i, s.id] * s.end for s in options)).only_enforce_if(p)
        placed.append(p)
        starts.append(start)
        ends.append(end)
    for teacher_slots in by_teacher.values():
        for s in teacher_slots:
            takers = [x[i, s.id] for i, t in enumerate(problem.talks) if (i, s.id) in x]
            if len(takers) > 1:
                model.add_at_most_one(takers)
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
    padded = [
        model.new_optional_fixed_size_interval_var(
            starts[i], duration[i] + problem.walk, placed[i], f"i{i}"
        )
        for i in range(len(problem.talks))
    ]
    for mine in talks_of.values():
        if len(mine) > 1:
            model.add_no_overlap([padded[i] for i in mine])
    # Inside the parent's times: every talk of the family placed on a time it can come.
    family_ok = {}
    for parent, mine in talks_of.items():
        ok = model.new_bool_var(f"ok{parent}")
        for i in mine:
            good = [
                x[i, s.id]
                for s in by_teacher.get(problem.talks[i].teacher, [])
                if problem.inside(parent, s)
            ]
            model.add(sum(good) >= 1).only_enforce_if(ok)
        family_ok[parent] = ok
    # Waiting per parent with several talks: span minus the talks themselves.
    waits = []
    horizon = max((s.end for s in problem.slots), default=0) + DAY
    for parent, mine in talks_of.items():
        if len(mine) < 2:
            continue
        lo = model.new_int_var(0, horizon, "")
        hi = model.new_int_var(0, horizon, "")
        for i in mine:
            model.add(lo <= starts[i]).only_enforce_if(placed[i])
            model.add(hi >= ends[i]).only_enforce_if(placed[i])
        wait = model.new_int_var(0, horizon, f"w{parent}")
        talk_time = sum(placed[i] * duration[i] for i in mine)
        model.add(wait >= hi - lo - talk_time)
        waits.append(wait)
    worst = model.new_int_var(0, horizon, "worst")
    for w in waits:
        model.add(worst >= w)

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    stages = []
    stage_time = time_limit / 3

    def run(objective, maximize: bool, name: str):
        if maximize:
            model.maximize(objective)
        else:
            model.minimize(objective)
        solver.parameters.max_time_in_seconds = stage_time
        status = solver.solve(model)
        stages.append((name, solver.status_name(status), solver.wall_time))
        return status in (cp_model.OPTIMAL, cp_model.FEASIBLE)

    def hint():
        model.clear_hints()
        for var in x.values():
            model.add_hint(var, solver.value(var))

    n = len(problem.talks) + 1
    first = sum(placed) * n + sum(family_ok.values())
    if not run(first, True, "placed_and_inside"):
        return Result(
            placed={},
            reasons={t.id: "family_clash" for t in problem.talks},
            status=stages[-1][1],
            seconds=sum(s[2] for s in stages),
            stages=stages,
        )
    best = {key: solver.value(var) for key, var in x.items()}
    model.add(first >= int(solver.objective_value))
    hint()
    if waits and run(worst, False, "worst_wait"):
        best = {key: solver.value(var) for key, var in x.items()}
        model.add(worst <= int(solver.objective_value))
        hint()
        if run(sum(waits), False, "total_wait"):
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
