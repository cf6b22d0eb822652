"""Slot generation for a conference round: a pure function, no database.

The rule, as the manual and issue 6 state it: each day starts at the start time; slots of the
given duration follow each other; after every `per_block` conversations comes a break of
`break_minutes`; a slot that would end after the end time is not made and the next day
continues; generation stops at the total number.

Times are local wall-clock times (Europe/Amsterdam). `aware()` turns a local date and time
into an aware datetime with zoneinfo, per date, so a day after the daylight-saving change
gets its own UTC offset.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True)
class LocalSlot:
    day: date
    start: time
    end: time


@dataclass(frozen=True)
class Generation:
    slots: list[LocalSlot]
    asked: int

    @property
    def fits(self) -> bool:
        return len(self.slots) >= self.asked


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def generate_slots(
    *,
    days: list[date],
    start: time,
    end: time,
    duration: int,
    total: int,
    per_block: int,
    break_minutes: int,
) -> Generation:
    """The slots for `days` (in the order given), at most `total` of them."""
    if duration <= 0 or per_block <= 0 or break_minutes < 0 or total < 0:
        raise ValueError("duration and per_block must be positive, break and total not negative")
    slots: list[LocalSlot] = []
    first, last = _minutes(start), _minutes(end)
    for day in days:
        at, in_block = first, 0
        while len(slots) < total and at + duration <= last:
            slots.append(LocalSlot(day, _time(at), _time(at + duration)))
            at += duration
            in_block += 1
            if in_block == per_block:
                at += break_minutes
                in_block = 0
        if len(slots) >= total:
            break
    return Generation(slots=slots, asked=total)


def aware(day: date, at: time) -> datetime:
    """A local wall-clock moment in Amsterdam as an aware datetime (right offset per date)."""
    return datetime.combine(day, at, tzinfo=AMSTERDAM)


def local_span(slot: LocalSlot) -> tuple[datetime, datetime]:
    return aware(slot.day, slot.start), aware(slot.day, slot.end)


def default_closes_at(first_day: date) -> datetime:
    """Booking closes at the end of the day before the first day: 00:00 of the first day."""
    return aware(first_day, time(0, 0))


def adjacent(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Right before or after, with at most a few minutes in between (walking to the classroom)."""
    gap = timedelta(minutes=5)
    return timedelta(0) <= b_start - a_end <= gap or timedelta(0) <= a_start - b_end <= gap


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end
