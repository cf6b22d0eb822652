from datetime import time, timedelta

import pytest
from django.utils import timezone


@pytest.fixture
def first_day():
    return timezone.localdate() + timedelta(days=14)


@pytest.fixture
def make_round(world, first_day):
    """A round created through the service, published unless asked otherwise."""
    from conferences.services import RoundSettings, round_create, round_publish

    def make(
        group=None,
        staff=None,
        published=True,
        total=6,
        days=None,
        start=time(15, 0),
        end=time(16, 0),
        duration=10,
        per_block=6,
        pause=0,
        closes_at=None,
    ):
        days = days or [first_day]
        plan = RoundSettings(
            group=group or world.g3,
            total=total,
            duration_minutes=duration,
            per_block=per_block,
            break_minutes=pause,
            start_date=days[0],
            start_time=start,
            end_time=end,
            extra_dates=tuple(days[1:]),
            closes_at=closes_at,
        )
        conference = round_create(staff=staff or world.anna, plan=plan, accept_fewer=True)
        if published:
            round_publish(conference=conference)
        return conference

    return make


@pytest.fixture
def mails(django_capture_on_commit_callbacks):
    """Run on_commit callbacks (the mail tasks) while the block runs; yields the outbox."""
    from django.core import mail

    class Capture:
        def __enter__(self):
            mail.outbox.clear()
            self._cm = django_capture_on_commit_callbacks(execute=True)
            self._cm.__enter__()
            return mail.outbox

        def __exit__(self, *exc):
            return self._cm.__exit__(*exc)

    return Capture()


def slot_at(conference, hour, minute):
    from conferences.slots import AMSTERDAM

    for slot in conference.slots.all():
        local = slot.starts_at.astimezone(AMSTERDAM)
        if (local.hour, local.minute) == (hour, minute):
            return slot
    raise AssertionError(f"no slot at {hour}:{minute:02d}")
