"""Preference mode: plan a whole period at once with a constraint solver (OR-Tools CP-SAT).
Pure: no database; conferences.planning turns the period into a Problem and back.

Hard rules: a time holds at most one talk; a talk only takes its own teacher's times (the
generator's times, so the teachers' breaks hold); a parent's talks never overlap, with the
walking time between them. A longer talk ("langer gesprek nodig") takes two consecutive
times of its teacher (the second starting when the first ends, so never across a break).
Interpreter talks ("tolk nodig"): the school has `interpreters` interpreters (0: no limit,
families bring their own); at most that many interpreter talks run at once across the
school, each followed by the walking time (the interpreter walks to the next room).

Goals, in this order (each stage keeps the previous stage's
result and improves the next, so no family pays for another's convenience):
  1. place as many talks as possible, then as many families entirely inside the times they
     said they can come;
  2. the worst-off family's waiting as small as possible: per evening, the first start to
     the last end minus the talks (the night between two evenings is not waiting);
  3. the total waiting as small as possible, a family coming on two evenings counting as
     SPLIT more minutes.
"""

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field

DAY = 24 * 60  # minutes; times are minutes from the first day's midnight
SPLIT = 120  # a family coming on two evenings weighs as two hours of waiting


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
    longer: bool = False  # takes two consecutive times
    interpreter: bool = False


@dataclass
class Problem:
    slots: list[PSlot]
    talks: list[Talk]
    walk: int
    # parent -> [(start, end)] they can come; a parent not in here can come at any time
    windows: dict[Hashable, list[tuple[int, int]]] = field(default_factory=dict)
    interpreters: int = 1  # interpreter talks at once across the school; 0: no limit

    def inside(self, parent, slot: PSlot) -> bool:
        spans = self.windows.get(parent)
        return spans is None or any(a <= slot.start and slot.end <= b for a, b in spans)

    def _index(self):
        if getattr(self, "_by_teacher", None) is None:
            self._by_teacher = defaultdict(list)
            self._next = {}
            for s in self.slots:
                self._by_teacher[s.teacher].append(s)
            for mine in self._by_teacher.values():
                mine.sort(key=lambda s: s.start)
                for a, b in zip(mine, mine[1:], strict=False):
                    if b.start == a.end:
                        self._next[a.id] = b
        return self._by_teacher, self._next

    def follower(self, slot_id) -> PSlot | None:
        """The teacher's next time when it starts as this one ends (no break between)."""
        return self._index()[1].get(slot_id)

    def options(self, talk: Talk) -> list[PSlot]:
        """Where the talk can go, as spans: a time, or for a longer talk a time and the next
        one together (the span's id is the first time's)."""
        by_teacher, following = self._index()
        mine = by_teacher.get(talk.teacher, [])
        if not talk.longer:
            return list(mine)
        return [
            PSlot(id=s.id, teacher=s.teacher, start=s.start, end=following[s.id].end)
            for s in mine
            if s.id in following
        ]

    def taken(self, talk: Talk, slot_id) -> list:
        """The times a talk placed at slot_id holds: one, or two for a longer talk."""
        if talk.longer:
            return [slot_id, self.follower(slot_id).id]
        return [slot_id]


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


def _pad_overlap(a: PSlot, b: PSlot, walk: int) -> bool:
    return a.start < b.end + walk and b.start < a.end + walk


def interpreter_fits(problem: Problem, span: PSlot, booked: list[PSlot]) -> bool:
    """Whether one more interpreter talk at `span` keeps at most `problem.interpreters`
    interpreter talks (each with the walking time after it) at any moment."""
    if problem.interpreters <= 0:
        return True
    walk = problem.walk
    near = [b for b in booked if _pad_overlap(span, b, walk)]
    if len(near) < problem.interpreters:
        return True
    # The busiest moment inside the span starts one of the intervals (padded by the walk).
    points = [span.start] + [b.start for b in near if span.start <= b.start < span.end + walk]
    for at in points:
        running = sum(1 for b in near if b.start <= at < b.end + walk)
        if running >= problem.interpreters:
            return False
    return True


def greedy(problem: Problem) -> dict:
    """A first plan to start the solver from: families with the most talks first (then the
    fewest available minutes), each taking the best back-to-back chain of free times it can
    come at (conferences.chains), else any chain that fits, else each talk's first free time
    that fits. It keeps every hard rule (longer talks, interpreters) as the solver does."""
    from datetime import datetime, timedelta

    from conferences.chains import Option, best_chain

    epoch = datetime(2000, 1, 1)
    free = {s.id for s in problem.slots}
    groups = defaultdict(list)  # talks booked together: the same set of parents
    for talk in problem.talks:
        groups[talk.parents].append(talk)
    options = {talk.id: problem.options(talk) for talk in problem.talks}

    def minutes_free(parents):
        spans = [problem.windows.get(p) for p in parents]
        if any(s is None for s in spans) or not parents:
            return 10**9
        return sum(b - a for span in spans for a, b in span)

    def strict(a: PSlot, b: PSlot) -> bool:
        # The solver leaves the walking time between all of a parent's talks, also two
        # with one teacher (twins), so the first plan does too.
        return _pad_overlap(a, b, problem.walk)

    order = sorted(groups, key=lambda ps: (-len(groups[ps]), minutes_free(ps)))
    placed: dict = {}
    busy: dict = defaultdict(list)  # parent -> spans taken
    interpreting: list[PSlot] = []  # interpreter talks' spans
    span_of = {}  # (talk id, first slot id) -> the span

    def option(s, talk):
        span_of[talk.id, s.id] = s
        return Option(
            key=s.id,
            teacher=(s.teacher, talk.id),
            start=epoch + timedelta(minutes=s.start),
            end=epoch + timedelta(minutes=s.end),
        )

    def span(o):
        return span_of[o.teacher[1], o.key]

    for parents in order:
        talks = {talk.id: talk for talk in groups[parents]}
        needs = {
            talk.id: [
                option(s, talk)
                for s in options[talk.id]
                if all(t in free for t in problem.taken(talk, s.id))
                and not any(strict(s, b) for p in parents for b in busy[p])
                and (not talk.interpreter or interpreter_fits(problem, s, interpreting))
            ]
            for talk in talks.values()
        }
        chain = best_chain(
            needs,
            walk=timedelta(minutes=problem.walk),
            prefer=lambda o, ps=parents: all(problem.inside(p, span(o)) for p in ps),
        )
        if chain is None:
            chain = {}
            for key, opts in needs.items():
                pick = next(
                    (
                        o
                        for o in opts
                        if not any(strict(span(o), span(c)) for c in chain.values())
                        and (
                            not talks[key].interpreter
                            or interpreter_fits(
                                problem,
                                span(o),
                                interpreting
                                + [span(c) for k, c in chain.items() if talks[k].interpreter],
                            )
                        )
                    ),
                    None,
                )
                if pick is not None:
                    chain[key] = pick
        for key, o in chain.items():
            talk = talks[key]
            free.difference_update(problem.taken(talk, o.key))
            placed[key] = o.key
            for p in parents:
                busy[p].append(span(o))
            if talk.interpreter:
                interpreting.append(span(o))
    return placed


def solve(problem: Problem, *, time_limit: float = 25.0, workers: int = 2, seed: int = 0):
    import time

    from ortools.sat.python import cp_model

    began = time.perf_counter()
    Sum, Weighted = cp_model.LinearExpr.sum, cp_model.LinearExpr.weighted_sum
    model = cp_model.CpModel()
    x = {}  # (talk index, first slot id) -> bool
    takers = defaultdict(list)  # slot id -> the x variables that hold it
    placed, starts = [], []
    spans = [problem.options(talk) for talk in problem.talks]  # per talk: where it can go
    for i, talk in enumerate(problem.talks):
        options = spans[i]
        row = []
        for s in options:
            var = x[i, s.id] = model.new_bool_var("")
            for held in problem.taken(talk, s.id):
                takers[held].append(var)
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
    # A parent's talks never overlap; the walk pads each talk's end. (A teacher's times all
    # last as long; a longer talk lasts two of them.)
    duration = [(opts[0].end - opts[0].start) if opts else 0 for opts in spans]
    padded = {}

    def pad(i):
        if i not in padded:
            padded[i] = model.new_optional_fixed_size_interval_var(
                starts[i], duration[i] + problem.walk, placed[i], ""
            )
        return padded[i]

    for mine in talks_of.values():
        if len(mine) > 1:
            model.add_no_overlap([pad(i) for i in mine])
    # Interpreters: at most `interpreters` interpreter talks at once, each with the walk
    # after it.
    interpreted = [i for i, t in enumerate(problem.talks) if t.interpreter]
    if problem.interpreters == 1 and len(interpreted) > 1:
        model.add_no_overlap([pad(i) for i in interpreted])
    elif problem.interpreters > 1 and len(interpreted) > problem.interpreters:
        model.add_cumulative(
            [pad(i) for i in interpreted], [1] * len(interpreted), problem.interpreters
        )
    # Inside the parent's times: every talk of the family placed on a time it can come.
    family_ok = {}
    for parent, mine in talks_of.items():
        ok = model.new_bool_var("")
        for i in mine:
            good = [x[i, s.id] for s in spans[i] if problem.inside(parent, s)]
            model.add_bool_or(good).only_enforce_if(ok)
        family_ok[parent] = ok
    # Waiting per parent with several talks, per evening: from the first talk's start to the
    # last talk's end that evening, minus the talks themselves (a night between two evenings
    # is not waiting). Coming on two evenings counts apart (`splits`).
    day_of = {s.id: s.start // DAY for opts in spans for s in opts}
    waits, waiting, splits = [], [], []
    for mine in talks_of.values():
        if len(mine) < 2:
            continue
        days = sorted({day_of[s.id] for i in mine for s in spans[i]})
        per_day, used = [], []
        wait = model.new_int_var(0, DAY * len(days), "")
        for d in days:
            on = {}
            for i in mine:
                row = [x[i, s.id] for s in spans[i] if day_of[s.id] == d]
                if row:
                    on[i] = model.new_bool_var("")
                    model.add(Sum(row) == on[i])
            lo = model.new_int_var(d * DAY, (d + 1) * DAY, "")
            hi = model.new_int_var(d * DAY, (d + 1) * DAY, "")
            here = model.new_bool_var("")
            for i, flag in on.items():
                model.add(lo <= starts[i]).only_enforce_if(flag)
                model.add(hi >= starts[i] + duration[i]).only_enforce_if(flag)
                model.add_implication(flag, here)
            model.add_bool_or(list(on.values())).only_enforce_if(here)
            w = model.new_int_var(0, DAY, "")
            model.add(
                w >= hi - lo - Weighted(list(on.values()), [duration[i] for i in on])
            ).only_enforce_if(here)
            per_day.append((d, on, lo, hi, here, w))
            used.append(here)
        model.add(wait == Sum([w for *_rest, w in per_day]))
        split = model.new_bool_var("")
        model.add(Sum(used) <= 1 + len(days) * split)
        waits.append(wait)
        splits.append(split)
        waiting.append((mine, per_day, wait, split))
    worst = model.new_int_var(0, DAY * 8, "worst")
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
    for _mine, per_day, wait, split in waiting:
        total, evenings = 0, 0
        for d, on, lo, hi, here, w in per_day:
            got = [i for i in on if i in at and at[i] // DAY == d]
            for i, flag in on.items():
                model.add_hint(flag, 1 if i in got else 0)
            lo_v = min((at[i] for i in got), default=d * DAY)
            hi_v = max((at[i] + duration[i] for i in got), default=d * DAY)
            w_v = max(0, hi_v - lo_v - sum(duration[i] for i in got)) if got else 0
            model.add_hint(lo, lo_v)
            model.add_hint(hi, hi_v)
            model.add_hint(here, 1 if got else 0)
            model.add_hint(w, w_v)
            total += w_v
            evenings += bool(got)
        model.add_hint(wait, total)
        model.add_hint(split, 1 if evenings > 1 else 0)
        worst_hint = max(worst_hint, total)
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
        # Coming back on another evening counts as SPLIT minutes of waiting.
        if run(Sum(waits) + SPLIT * Sum(splits), False, "total_wait", 1):
            best = {key: solver.value(var) for key, var in x.items()}
    result = {}
    for (i, slot_id), value in best.items():
        if value:
            result[problem.talks[i].id] = slot_id
    used = {
        held
        for talk in problem.talks
        if talk.id in result
        for held in problem.taken(talk, result[talk.id])
    }
    reasons = {}
    for i, talk in enumerate(problem.talks):
        if talk.id in result:
            continue
        free = [s for s in spans[i] if not used.intersection(problem.taken(talk, s.id))]
        if free:
            reasons[talk.id] = "family_clash"
        elif talk.longer and any(
            s.teacher == talk.teacher and s.id not in used for s in problem.slots
        ):
            reasons[talk.id] = "no_pair"
        else:
            reasons[talk.id] = "teacher_full"
    return Result(
        placed=result,
        reasons=reasons,
        status=stages[-1][1],
        seconds=sum(s[2] for s in stages),
        stages=stages,
    )
