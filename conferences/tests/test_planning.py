"""Preference mode end to end: wishes until the deadline, one plan for the whole period,
the teacher's review and moves, publication with mail and .ics."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conferences import periods, planning
from conferences.models import ConferencePeriod, PlanNote, Slot
from conferences.slots import AMSTERDAM

pytestmark = pytest.mark.django_db


@pytest.fixture
def period(world, first_day):
    plan = periods.PeriodSettings(
        name="Voorjaarsgesprekken",
        mode=ConferencePeriod.Mode.PREFERENCE,
        groups=(world.g3, world.g4),
        duration_minutes=10,
        per_block=6,
        break_minutes=10,
        start_date=first_day,
        start_time=time(15, 0),
        end_time=time(17, 0),
        walk_minutes=5,
        spare=10,
    )
    p = periods.period_create(staff=world.dirk, plan=plan)
    periods.period_open(period=p)
    return p


def close(period):
    ConferencePeriod.objects.filter(pk=period.pk).update(
        closes_at=timezone.now() - timedelta(minutes=1)
    )
    period.refresh_from_db()


def local(slot):
    return slot.starts_at.astimezone(AMSTERDAM).time()


def ics_events(message):
    content = message.attachments[0]
    content = content[1] if isinstance(content, tuple) else content.content
    content = content.decode() if isinstance(content, bytes) else content
    return content.count("BEGIN:VEVENT")


def test_families_give_wishes_and_the_plan_keeps_them(world, period, first_day, mails):
    assert not any(r.is_published for r in periods.period_rounds(period))  # nothing to book
    planning.wishes_save(
        parent=world.quinten,
        period=period,
        windows=[(first_day, time(16, 0), time(17, 0))],
        children=[planning.ChildChoice(pupil_id=world.lotte.pk, interpreter=True)],
    )
    planning.wishes_save(
        parent=world.petra,
        period=period,
        windows=[(first_day, time(15, 0), time(15, 30))],
        children=[planning.ChildChoice(pupil_id=world.sam.pk, separate=True)],
    )
    with pytest.raises(planning.PlanError):
        planning.period_plan(period=period, time_limit=5)  # not before the deadline
    close(period)
    result = planning.period_plan(period=period, time_limit=5)
    assert not result.reasons
    talks = {(s.pupil_id, s.household_id): s for s in Slot.objects.filter(pupil__isnull=False)}
    # Sam: one talk for Petra's household, one shared talk for Quinten; Lotte: Quinten.
    assert set(talks) == {
        (world.sam.pk, world.petra.pk),
        (world.sam.pk, None),
        (world.lotte.pk, None),
    }
    assert time(15, 0) <= local(talks[world.sam.pk, world.petra.pk]) < time(15, 30)
    quinten = sorted([talks[world.sam.pk, None], talks[world.lotte.pk, None]], key=local)
    assert local(quinten[0]) >= time(16, 0)
    # As close as the walk allows: 10 minutes of talk, 5 to walk, the next time on the grid.
    assert quinten[1].starts_at - quinten[0].starts_at == timedelta(minutes=20)
    assert not PlanNote.objects.exists()

    with mails as outbox:
        sent = planning.period_publish(period=period)
    assert sent == 2
    by_to = {m.to[0]: m for m in outbox}
    assert ics_events(by_to["petra@example.nl"]) == 1  # her own household's talk only
    assert ics_events(by_to["quinten@example.nl"]) == 2
    assert all(r.is_published for r in periods.period_rounds(period))


def test_a_talk_that_cannot_be_placed_is_explained(world, period, make_parent):
    Slot.objects.filter(round__group=world.g4).delete()  # Bram has no times at all
    close(period)
    result = planning.period_plan(period=period, time_limit=5)
    assert len(result.reasons) == 1
    note = PlanNote.objects.get()
    assert note.pupil == world.lotte and "Geen vrije tijd" in note.reason


def test_the_teacher_moves_a_talk_by_hand_but_not_onto_a_family_clash(world, period):
    close(period)
    planning.period_plan(period=period, time_limit=5)
    lotte = Slot.objects.get(pupil=world.lotte)
    sam = Slot.objects.get(pupil=world.sam)
    clashing = Slot.objects.filter(round=lotte.round, starts_at=sam.starts_at).first()
    if clashing is not None and clashing.pupil_id is None:
        with pytest.raises(planning.PlanError):
            planning.talk_move(period=period, slot_id=lotte.pk, to_slot_id=clashing.pk)
    far = Slot.objects.filter(round=lotte.round, pupil__isnull=True).order_by("-starts_at")[0]
    planning.talk_move(period=period, slot_id=lotte.pk, to_slot_id=far.pk)
    assert Slot.objects.get(pupil=world.lotte).pk == far.pk


def test_wishes_are_closed_after_the_deadline(world, period, first_day):
    close(period)
    with pytest.raises(planning.RoundClosed):
        planning.wishes_save(
            parent=world.quinten,
            period=period,
            windows=[(first_day, time(16, 0), time(17, 0))],
            children=[],
        )


def test_the_pages_work_for_the_family_and_the_teacher(world, period, login, first_day):
    client = login(world.quinten)
    url = reverse("conferences:period_family", args=[period.public_id])
    assert "Wanneer kunt u?" in client.get(url).content.decode()
    day = first_day.isoformat()
    response = client.post(
        reverse("conferences:period_wishes", args=[period.public_id]),
        {f"can-{day}": "1", f"start-{day}": "16:00", f"end-{day}": "17:00"},
    )
    assert response.status_code == 302
    close(period)
    staff = login(world.dirk)
    staff.post(reverse("conferences:period_plan", args=[period.public_id]))
    page = staff.get(reverse("conferences:period_detail", args=[period.public_id]))
    assert "Planning versturen naar alle ouders" in page.content.decode()
    assert (
        login(world.olaf)
        .post(reverse("conferences:period_publish", args=[period.public_id]))
        .status_code
        == 404
    )


def test_a_longer_talk_gets_two_consecutive_times_and_the_teacher_sees_the_wishes(
    world, period, first_day, login, mails
):
    planning.wishes_save(
        parent=world.quinten,
        period=period,
        windows=[(first_day, time(15, 0), time(17, 0))],
        children=[
            planning.ChildChoice(pupil_id=world.lotte.pk, longer=True),
            planning.ChildChoice(pupil_id=world.sam.pk, interpreter=True, child_joins=True),
        ],
    )
    close(period)
    result = planning.period_plan(period=period, time_limit=5)
    assert not result.reasons
    first, second = Slot.objects.filter(pupil=world.lotte).order_by("starts_at")
    assert second.follows_id == first.pk and second.starts_at == first.ends_at
    assert first.round_id == second.round_id
    sam = Slot.objects.get(pupil=world.sam)
    # The family's talks (Lotte's whole longer talk included) never overlap.
    assert sam.ends_at <= first.starts_at or second.ends_at <= sam.starts_at

    # The teacher sees the wishes in the plan, on the round's page and in its PDF data.
    staff = login(world.dirk)
    page = staff.get(reverse("conferences:period_detail", args=[period.public_id]))
    text = page.content.decode()
    assert "tolk nodig, kind komt mee" in text and "vervolg van het langere gesprek" in text
    round_page = staff.get(reverse("conferences:round_detail", args=[sam.round.public_id]))
    assert "tolk nodig" in round_page.content.decode()
    pdf = staff.get(reverse("conferences:round_pdf", args=[first.round.public_id]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"

    # Moving the longer talk by hand moves both times; a time with no free time after it
    # is refused.
    last = Slot.objects.filter(round=first.round).order_by("-starts_at")[0]
    with pytest.raises(planning.PlanError):
        planning.talk_move(period=period, slot_id=first.pk, to_slot_id=last.pk)
    free = [
        s
        for s in Slot.objects.filter(round=first.round, pupil__isnull=True).order_by("starts_at")
        if Slot.objects.filter(round=first.round, starts_at=s.ends_at, pupil__isnull=True).exists()
        and abs(s.starts_at - sam.starts_at) > timedelta(minutes=40)
    ]
    planning.talk_move(period=period, slot_id=first.pk, to_slot_id=free[0].pk)
    moved = list(Slot.objects.filter(pupil=world.lotte).order_by("starts_at"))
    assert [s.pk for s in moved][0] == free[0].pk and moved[1].follows_id == free[0].pk
    assert moved[1].starts_at == moved[0].ends_at

    # The mail gives the whole longer talk: one event from its start to the second end.
    with mails as outbox:
        planning.period_publish(period=period)
    message = next(m for m in outbox if m.to[0] == "quinten@example.nl")
    assert ics_events(message) == 2
    end = moved[1].ends_at.astimezone(AMSTERDAM).strftime("%H:%M")
    assert end in message.body


def test_the_portal_shows_a_longer_talk_from_its_start_to_its_second_end(
    world, period, first_day, login
):
    planning.wishes_save(
        parent=world.quinten,
        period=period,
        windows=[],
        children=[planning.ChildChoice(pupil_id=world.lotte.pk, longer=True)],
    )
    close(period)
    planning.period_plan(period=period, time_limit=5)
    planning.period_publish(period=period)
    first, second = Slot.objects.filter(pupil=world.lotte).order_by("starts_at")
    page = login(world.quinten).get(reverse("conferences:portal")).content.decode()
    start, end = (
        s.astimezone(AMSTERDAM).strftime("%H:%M") for s in (first.starts_at, second.ends_at)
    )
    assert f"{start}–{end}" in page
