"""The preference-mode planner on random small schools (hypothesis): whatever the school,
no time holds two talks, a family's talks never overlap and leave the walking time, talks
only take their own teacher's times (so breaks hold), and every talk is placed or has a
reason."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conferences.planner import Problem, PSlot, Talk, clash, greedy, solve


def school(draw_teachers, slots_per_teacher, families, walk, gap_after):
    slots = []
    for t in range(draw_teachers):
        at = 17 * 60
        for k in range(slots_per_teacher):
            slots.append(PSlot(id=f"t{t}s{k}", teacher=t, start=at, end=at + 10))
            at += 10 + (10 if gap_after and (k + 1) % gap_after == 0 else 0)  # a break
    talks = []
    windows = {}
    for f, (children, separate, window) in enumerate(families):
        parents = (f"p{f}a", f"p{f}b")
        for c, teacher in enumerate(children):
            teacher %= draw_teachers
            if separate and c == 0:
                talks.append(Talk(id=f"f{f}c{c}a", teacher=teacher, parents=(parents[0],)))
                talks.append(Talk(id=f"f{f}c{c}b", teacher=teacher, parents=(parents[1],)))
            else:
                talks.append(Talk(id=f"f{f}c{c}", teacher=teacher, parents=parents))
        if window is not None:
            lo = 17 * 60 + window * 10
            windows[parents[0]] = [(lo, lo + 60)]
    return Problem(slots=slots, talks=talks, walk=walk, windows=windows)


families_strategy = st.lists(
    st.tuples(
        st.lists(st.integers(0, 5), min_size=1, max_size=3),
        st.booleans(),
        st.one_of(st.none(), st.integers(0, 6)),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    teachers=st.integers(1, 4),
    per_teacher=st.integers(1, 8),
    families=families_strategy,
    walk=st.integers(0, 10),
    gap_after=st.one_of(st.none(), st.integers(1, 4)),
)
def test_the_plan_keeps_every_rule_on_random_schools(
    teachers, per_teacher, families, walk, gap_after
):
    problem = school(teachers, per_teacher, families, walk, gap_after)
    result = solve(problem, time_limit=3, workers=2)
    slots = {s.id: s for s in problem.slots}
    # A time holds at most one talk.
    assert len(set(result.placed.values())) == len(result.placed)
    # Each talk has its own teacher's time (and so the breaks between the generator's times).
    talks = {t.id: t for t in problem.talks}
    for talk_id, slot_id in result.placed.items():
        assert slots[slot_id].teacher == talks[talk_id].teacher
    # A parent's talks neither overlap nor leave too little time to walk.
    for parent in {p for t in problem.talks for p in t.parents}:
        mine = [
            slots[result.placed[t.id]]
            for t in problem.talks
            if parent in t.parents and t.id in result.placed
        ]
        for i, a in enumerate(mine):
            for b in mine[i + 1 :]:
                assert not clash(a, b, walk)
    # Every talk is placed or explained.
    assert set(result.placed) | set(result.reasons) == set(talks)
    assert not set(result.placed) & set(result.reasons)
    # A teacher with enough times never leaves a talk unplaced for being full.
    for talk_id, reason in result.reasons.items():
        if reason == "teacher_full":
            teacher = talks[talk_id].teacher
            used = [s for s in result.placed.values() if slots[s].teacher == teacher]
            assert len(used) == sum(1 for s in problem.slots if s.teacher == teacher)


def test_a_family_gets_back_to_back_talks_inside_its_times():
    slots = [
        PSlot(id=f"{t}{k}", teacher=t, start=1000 + 10 * k, end=1010 + 10 * k)
        for t in "AB"
        for k in range(6)
    ]
    problem = Problem(
        slots=slots,
        talks=[
            Talk(id="sam", teacher="A", parents=("p",)),
            Talk(id="lotte", teacher="B", parents=("p",)),
        ],
        walk=5,
        windows={"p": [(1030, 1060)]},
    )
    result = solve(problem, time_limit=5)
    starts = sorted(s.start for s in slots if s.id in result.placed.values())
    assert starts == [1030, 1050]  # inside 1030-1060, 10 minutes + 5 to walk, no more waiting


def test_the_worst_off_family_comes_first():
    # Two families share teacher A's two times; family X also sees teacher B at 1010 only.
    # Giving X the time at 1000 with A (back to back with B: 1010 - 5 walk does not fit),
    # so X must get A at 1020 and wait 0 after B; Y takes A at 1000.
    slots = [
        PSlot(id="a1", teacher="A", start=1000, end=1010),
        PSlot(id="a2", teacher="A", start=1025, end=1035),
        PSlot(id="b1", teacher="B", start=1010, end=1020),
    ]
    problem = Problem(
        slots=slots,
        talks=[
            Talk(id="x1", teacher="A", parents=("x",)),
            Talk(id="x2", teacher="B", parents=("x",)),
            Talk(id="y1", teacher="A", parents=("y",)),
        ],
        walk=5,
    )
    result = solve(problem, time_limit=5)
    assert result.placed == {"x1": "a2", "x2": "b1", "y1": "a1"}


def school_with_wishes(teachers, per_teacher, families, walk, gap_after, wishes):
    """The same random school, each talk with its wishes (longer talk, interpreter)."""
    plain = school(teachers, per_teacher, families, walk, gap_after)
    talks = [
        Talk(
            id=t.id,
            teacher=t.teacher,
            parents=t.parents,
            longer=wishes[i % len(wishes)][0],
            interpreter=wishes[i % len(wishes)][1],
        )
        for i, t in enumerate(plain.talks)
    ]
    return Problem(slots=plain.slots, talks=talks, walk=walk, windows=plain.windows)


def held(problem, result):
    """talk id -> (the times it holds, its span from first start to last end)."""
    slots = {s.id: s for s in problem.slots}
    out = {}
    for talk in problem.talks:
        if talk.id in result.placed:
            ids = problem.taken(talk, result.placed[talk.id])
            first, last = slots[ids[0]], slots[ids[-1]]
            out[talk.id] = (
                ids,
                PSlot(id=None, teacher=first.teacher, start=first.start, end=last.end),
            )
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    teachers=st.integers(1, 4),
    per_teacher=st.integers(1, 8),
    families=families_strategy,
    walk=st.integers(0, 10),
    gap_after=st.one_of(st.none(), st.integers(1, 4)),
    wishes=st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=5),
    interpreters=st.integers(0, 2),
)
def test_longer_talks_take_two_consecutive_times_and_interpreters_are_never_double_booked(
    teachers, per_teacher, families, walk, gap_after, wishes, interpreters
):
    problem = school_with_wishes(teachers, per_teacher, families, walk, gap_after, wishes)
    problem.interpreters = interpreters
    result = solve(problem, time_limit=3, workers=2)
    slots = {s.id: s for s in problem.slots}
    talks = {t.id: t for t in problem.talks}
    spans = held(problem, result)
    # No time holds two talks, counting both times of a longer talk.
    every = [sid for ids, _span in spans.values() for sid in ids]
    assert len(every) == len(set(every))
    for talk_id, (ids, _span) in spans.items():
        talk = talks[talk_id]
        assert all(slots[sid].teacher == talk.teacher for sid in ids)
        if talk.longer:
            # Two times of the same teacher, the second starting as the first ends.
            assert len(ids) == 2 and slots[ids[1]].start == slots[ids[0]].end
        else:
            assert len(ids) == 1
    # A parent's talks (whole spans) neither overlap nor leave too little time to walk.
    for parent in {p for t in problem.talks for p in t.parents}:
        mine = [spans[t.id][1] for t in problem.talks if parent in t.parents and t.id in spans]
        for i, a in enumerate(mine):
            for b in mine[i + 1 :]:
                assert not clash(a, b, walk)
    # Never more interpreter talks at once than interpreters (each followed by the walk).
    if interpreters:
        interpreted = [spans[t.id][1] for t in problem.talks if t.interpreter and t.id in spans]
        for a in interpreted:
            running = sum(1 for b in interpreted if b.start <= a.start < b.end + walk)
            assert running <= interpreters
    # Every talk is placed or explained, and the greedy first plan keeps the rules too.
    assert set(result.placed) | set(result.reasons) == set(talks)
    first = greedy(problem)
    first_ids = [sid for t, s in first.items() for sid in problem.taken(talks[t], s)]
    assert len(first_ids) == len(set(first_ids))


def test_a_longer_talk_never_spans_a_break():
    # Teacher A: 1000-1010, 1010-1020, break, 1030-1040. The longer talk can only take the
    # first two; the other talk gets the time after the break.
    slots = [
        PSlot(id="a1", teacher="A", start=1000, end=1010),
        PSlot(id="a2", teacher="A", start=1010, end=1020),
        PSlot(id="a3", teacher="A", start=1030, end=1040),
    ]
    problem = Problem(
        slots=slots,
        talks=[
            Talk(id="short", teacher="A", parents=("s",)),
            Talk(id="long", teacher="A", parents=("l",), longer=True),
        ],
        walk=5,
    )
    result = solve(problem, time_limit=5)
    assert result.placed == {"long": "a1", "short": "a3"}
    # With a third family there is no room: the reason says so.
    problem.talks.append(Talk(id="late", teacher="A", parents=("z",), longer=True))
    result = solve(problem, time_limit=5)
    assert len(result.placed) == 2 and list(result.reasons.values()) in (
        ["no_pair"],
        ["teacher_full"],
    )


def test_one_interpreter_goes_from_talk_to_talk():
    # Two teachers at the same times; both families need the interpreter. With one
    # interpreter the talks are one after the other, with time to walk between them.
    slots = [
        PSlot(id=f"{t}{k}", teacher=t, start=1000 + 10 * k, end=1010 + 10 * k)
        for t in "AB"
        for k in range(3)
    ]
    talks = [
        Talk(id="x", teacher="A", parents=("x",), interpreter=True),
        Talk(id="y", teacher="B", parents=("y",), interpreter=True),
    ]
    problem = Problem(slots=slots, talks=talks, walk=5, windows={"x": [(1000, 1010)]})
    result = solve(problem, time_limit=5)
    starts = {t: next(s.start for s in slots if s.id == sid) for t, sid in result.placed.items()}
    assert starts["x"] == 1000 and starts["y"] >= 1015
    problem = Problem(slots=slots, talks=talks, walk=5, interpreters=0)
    assert len(solve(problem, time_limit=5).placed) == 2
