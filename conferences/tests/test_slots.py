"""Slot generation, exactly as the manual describes it (a pure function, no database)."""

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from conferences.slots import aware, default_closes_at, generate_slots

MONDAY = date(2026, 11, 9)


def minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def fits_in_one_day(span: int, duration: int, per_block: int, pause: int) -> int:
    """Independent count: slot i starts at i*duration + (i // per_block) * pause."""
    n = 0
    while n * duration + (n // per_block) * pause + duration <= span:
        n += 1
    return n


def test_it_makes_slots_with_a_break_after_every_n_conversations():
    result = generate_slots(
        days=[MONDAY],
        start=time(15, 0),
        end=time(17, 0),
        duration=15,
        total=6,
        per_block=3,
        break_minutes=10,
    )
    assert [(s.start.strftime("%H:%M"), s.end.strftime("%H:%M")) for s in result.slots] == [
        ("15:00", "15:15"),
        ("15:15", "15:30"),
        ("15:30", "15:45"),
        ("15:55", "16:10"),
        ("16:10", "16:25"),
        ("16:25", "16:40"),
    ]
    assert result.fits


def test_it_continues_on_the_next_day_when_a_slot_would_end_after_the_end_time():
    result = generate_slots(
        days=[MONDAY, MONDAY + timedelta(days=1)],
        start=time(15, 0),
        end=time(15, 50),
        duration=20,
        total=4,
        per_block=10,
        break_minutes=0,
    )
    assert [(s.day, s.start) for s in result.slots] == [
        (MONDAY, time(15, 0)),
        (MONDAY, time(15, 20)),
        (MONDAY + timedelta(days=1), time(15, 0)),
        (MONDAY + timedelta(days=1), time(15, 20)),
    ]


def test_it_reports_how_many_of_the_asked_conversations_fit():
    result = generate_slots(
        days=[MONDAY],
        start=time(15, 0),
        end=time(17, 0),
        duration=10,
        total=30,
        per_block=6,
        break_minutes=10,
    )
    assert len(result.slots) == 11  # 6, a break at 16:00-16:10, then 5 more
    assert not result.fits and result.asked == 30


def test_a_round_on_the_day_the_clocks_go_back_keeps_its_wall_clock_times():
    # Sunday 25 October 2026 is the last Sunday of October: CEST (+2) becomes CET (+1).
    saturday = aware(date(2026, 10, 24), time(14, 0))
    sunday = aware(date(2026, 10, 25), time(14, 0))
    assert saturday.astimezone(UTC) == datetime(2026, 10, 24, 12, 0, tzinfo=UTC)
    assert sunday.astimezone(UTC) == datetime(2026, 10, 25, 13, 0, tzinfo=UTC)
    # 25 real hours between the two 14:00s (Python subtracts same-zone times as wall clock).
    assert sunday.astimezone(UTC) - saturday.astimezone(UTC) == timedelta(hours=25)


def test_booking_closes_at_the_end_of_the_day_before_the_first_day():
    closes = default_closes_at(date(2026, 10, 26))
    assert closes.isoformat() == "2026-10-26T00:00:00+01:00"


days_strategy = st.lists(
    st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
    min_size=1,
    max_size=5,
    unique=True,
).map(sorted)


@settings(max_examples=300, deadline=None)
@given(
    days=days_strategy,
    start_minute=st.integers(min_value=7 * 60, max_value=16 * 60),
    span=st.integers(min_value=5, max_value=8 * 60),
    duration=st.integers(min_value=5, max_value=60),
    total=st.integers(min_value=0, max_value=120),
    per_block=st.integers(min_value=1, max_value=12),
    pause=st.integers(min_value=0, max_value=45),
)
def test_generated_slots_follow_the_rule_for_any_settings(
    days, start_minute, span, duration, total, per_block, pause
):
    end_minute = min(start_minute + span, 23 * 60 + 59)
    start, end = time(*divmod(start_minute, 60)), time(*divmod(end_minute, 60))
    result = generate_slots(
        days=days,
        start=start,
        end=end,
        duration=duration,
        total=total,
        per_block=per_block,
        break_minutes=pause,
    )
    per_day = fits_in_one_day(end_minute - start_minute, duration, per_block, pause)
    # The total is reached, or all that fit are made (and the shortfall is reported).
    assert len(result.slots) == min(total, per_day * len(days))
    assert result.fits == (total <= per_day * len(days))
    # Days are filled in order; each day starts at the start time.
    by_day: dict = {}
    for slot in result.slots:
        by_day.setdefault(slot.day, []).append(slot)
    assert list(by_day) == days[: len(by_day)]
    for index, (_day, slots) in enumerate(by_day.items()):
        assert slots[0].start == start
        if index < len(by_day) - 1:
            assert len(slots) == per_day  # an earlier day is full before the next one starts
        for i, slot in enumerate(slots):
            assert minutes(slot.end) - minutes(slot.start) == duration
            assert minutes(slot.end) <= end_minute  # never past the end time
            if i:
                gap = minutes(slot.start) - minutes(slots[i - 1].end)
                # A break after every per_block conversations, none elsewhere.
                assert gap == (pause if i % per_block == 0 else 0)


@settings(max_examples=100, deadline=None)
@given(
    duration=st.integers(min_value=7, max_value=47),
    per_block=st.integers(min_value=1, max_value=5),
    pause=st.integers(min_value=1, max_value=30),
)
def test_a_break_at_the_end_of_a_day_does_not_carry_over_to_the_next_day(
    duration, per_block, pause
):
    # The day holds exactly one block: the break would fall at the day's end.
    span = duration * per_block
    start = time(15, 0)
    end = time(*divmod(15 * 60 + span, 60))
    result = generate_slots(
        days=[MONDAY, MONDAY + timedelta(days=1)],
        start=start,
        end=end,
        duration=duration,
        total=2 * per_block,
        per_block=per_block,
        break_minutes=pause,
    )
    second_day = [s for s in result.slots if s.day == MONDAY + timedelta(days=1)]
    assert result.fits
    assert second_day[0].start == start
