"""A school-wide period: families plan all their children's talks at once."""

from datetime import time, timedelta

import pytest
from django.urls import reverse

from conferences import periods
from conferences.models import ConferencePeriod, Slot
from conferences.slots import AMSTERDAM

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_period(world, first_day):
    def make(staff=None, groups=None, opened=True, walk=5, spare=2, **kw):
        plan = periods.PeriodSettings(
            name="Najaarsgesprekken",
            mode=kw.pop("mode", ConferencePeriod.Mode.FIRST_COME),
            groups=tuple(groups or (world.g3, world.g4)),
            duration_minutes=kw.pop("duration", 10),
            per_block=kw.pop("per_block", 6),
            break_minutes=kw.pop("pause", 10),
            start_date=first_day,
            start_time=kw.pop("start", time(15, 0)),
            end_time=kw.pop("end", time(17, 0)),
            walk_minutes=walk,
            spare=spare,
            **kw,
        )
        period = periods.period_create(staff=staff or world.dirk, plan=plan)
        if opened:
            periods.period_open(period=period)
        return period

    return make


def hhmm(slot):
    return slot.starts_at.astimezone(AMSTERDAM).strftime("%H:%M")


def test_a_period_makes_one_round_per_group_with_the_groups_teacher(world, make_period):
    period = make_period()
    rounds = {r.group: r for r in periods.period_rounds(period)}
    assert rounds[world.g3].teacher == world.anna and rounds[world.g4].teacher == world.bram
    # One child per group plus two spare times each; the generator's times per teacher.
    assert [hhmm(s) for s in rounds[world.g3].slots.all()] == ["15:00", "15:10", "15:20"]
    assert all(r.is_published for r in rounds.values())


def test_a_teacher_with_two_groups_gets_one_run_of_times(world, make_period):
    world.anna.groups.add(world.g4)
    world.bram.groups.clear()
    period = make_period(staff=world.anna, per_block=2, pause=10)
    times = [hhmm(s) for s in Slot.objects.filter(round__period_link__period=period)]
    assert sorted(times) == ["15:00", "15:10", "15:30", "15:40", "16:00", "16:10"]


def test_a_teacher_cannot_open_a_period_for_another_teachers_group(world, make_period):
    with pytest.raises(periods.NotAllowed):
        make_period(staff=world.anna)


def test_too_short_evenings_are_refused_with_the_count_per_teacher(world, make_period):
    with pytest.raises(periods.TooShort, match="passen 2 van de 3"):
        make_period(end=time(15, 20))
    assert not ConferencePeriod.objects.exists()


def quinten_needs(world, period, separate=frozenset()):
    return periods.family_needs(parent=world.quinten, period=period, separate=set(separate))


def test_plan_everything_back_to_back_leaves_the_walking_time(world, make_period):
    period = make_period(walk=5)
    other = Slot.objects.filter(round__group=world.g4).order_by("starts_at")
    Slot.objects.filter(pk=other[0].pk).delete()  # Bram has no 15:00
    needs = quinten_needs(world, period)
    proposal = periods.chain_propose(parent=world.quinten, period=period, needs=needs)
    times = sorted(hhmm(s) for s in proposal.values())
    # 10 minutes each and 5 to walk: 15:00 with Anna, then Bram's next time after 15:15.
    assert times == ["15:00", "15:20"]


def test_a_family_books_all_its_children_at_once_and_gets_one_mail_with_all_times(
    world, make_period, mails
):
    period = make_period()
    needs = quinten_needs(world, period)
    proposal = periods.chain_propose(parent=world.quinten, period=period, needs=needs)
    choices = {key: slot.pk for key, slot in proposal.items()}
    with mails as outbox:
        periods.family_book(parent=world.quinten, period=period, choices=choices, separate=set())
    held = dict(Slot.objects.filter(pupil__isnull=False).values_list("pupil_id", "booked_by_id"))
    assert held == {world.sam.pk: world.quinten.pk, world.lotte.pk: world.quinten.pk}
    mine = [m for m in outbox if m.to == ["quinten@example.nl"]]
    assert len(mine) == 1
    ics = mine[0].attachments[0]
    content = ics[1] if isinstance(ics, tuple) else ics.content
    content = content.decode() if isinstance(content, bytes) else content
    assert content.count("BEGIN:VEVENT") == 2
    petra = [m for m in outbox if m.to == ["petra@example.nl"]]
    assert len(petra) == 1 and "Sam" in petra[0].body and "Lotte" not in petra[0].body


def test_a_chain_with_one_taken_time_books_nothing(world, make_period, make_parent):
    period = make_period()
    needs = quinten_needs(world, period)
    proposal = periods.chain_propose(parent=world.quinten, period=period, needs=needs)
    lotte_key = next(k for k in proposal if str(world.lotte.public_id) in k)
    Slot.objects.filter(pk=proposal[lotte_key].pk).update(pupil=world.eik_kid)  # taken meanwhile
    choices = {key: slot.pk for key, slot in proposal.items()}
    with pytest.raises(periods.SlotTaken):
        periods.family_book(parent=world.quinten, period=period, choices=choices, separate=set())
    assert not Slot.objects.filter(pupil__in=[world.sam, world.lotte]).exists()


def test_times_too_close_for_the_walk_are_refused(world, make_period):
    period = make_period(walk=5)
    sam = Slot.objects.filter(round__group=world.g3).order_by("starts_at")[0]  # 15:00-15:10
    lotte = Slot.objects.filter(round__group=world.g4).order_by("starts_at")[1]  # 15:10-15:20
    needs = {n.pupil.pk: n.key for n in quinten_needs(world, period)}
    with pytest.raises(periods.WalkTooShort):
        periods.family_book(
            parent=world.quinten,
            period=period,
            choices={needs[world.sam.pk]: sam.pk, needs[world.lotte.pk]: lotte.pk},
            separate=set(),
        )
    assert not Slot.objects.filter(pupil__isnull=False).exists()


def test_separated_parents_each_get_their_own_talk(world, make_period):
    period = make_period()
    for parent in (world.petra, world.quinten):
        needs = periods.family_needs(parent=parent, period=period, separate={world.sam.pk})
        sam = next(n for n in needs if n.pupil == world.sam)
        periods.family_book(
            parent=parent,
            period=period,
            choices={sam.key: sam.options[0].pk},
            separate={world.sam.pk},
        )
    talks = Slot.objects.filter(pupil=world.sam).values_list("household_id", flat=True)
    assert sorted(talks) == sorted([world.petra.pk, world.quinten.pk])


def test_a_closed_period_takes_no_bookings(world, make_period):
    period = make_period()
    ConferencePeriod.objects.filter(pk=period.pk).update(
        closes_at=period.closes_at - timedelta(days=30)
    )
    period.refresh_from_db()
    sam = quinten_needs(world, period)[0]
    with pytest.raises(periods.RoundClosed):
        periods.family_book(
            parent=world.quinten,
            period=period,
            choices={sam.key: sam.options[0].pk},
            separate=set(),
        )


# ---------------------------------------------------------------------------- pages


def test_the_family_page_proposes_and_saves_a_chain(world, make_period, login):
    period = make_period()
    client = login(world.quinten)
    url = reverse("conferences:period_family", args=[period.public_id])
    page = client.get(url + "?plan=1")
    assert page.status_code == 200 and "Voorstel" in page.content.decode()
    needs = quinten_needs(world, period)
    proposal = periods.chain_propose(parent=world.quinten, period=period, needs=needs)
    data = {f"talk-{key}": slot.pk for key, slot in proposal.items()}
    response = client.post(reverse("conferences:period_book", args=[period.public_id]), data)
    assert response.status_code == 302
    assert Slot.objects.filter(pupil__in=[world.sam, world.lotte]).count() == 2


def test_strangers_get_404(world, make_period, login, make_parent):
    period = make_period()
    assert (
        login(world.eik_parent)
        .get(reverse("conferences:period_family", args=[period.public_id]))
        .status_code
        == 404
    )
    assert (
        login(world.olaf)
        .get(reverse("conferences:period_detail", args=[period.public_id]))
        .status_code
        == 404
    )
    assert (
        login(world.dirk)
        .get(reverse("conferences:period_detail", args=[period.public_id]))
        .status_code
        == 200
    )


def test_an_unopened_period_is_not_shown_to_parents(world, make_period, login):
    period = make_period(opened=False)
    url = reverse("conferences:period_family", args=[period.public_id])
    assert login(world.quinten).get(url).status_code == 404


def test_a_teacher_of_one_group_sees_the_schools_period_but_cannot_change_it(
    world, make_period, login
):
    period = make_period(opened=False)
    client = login(world.anna)
    assert (
        client.get(reverse("conferences:period_detail", args=[period.public_id])).status_code == 200
    )
    response = client.post(reverse("conferences:period_open", args=[period.public_id]))
    assert response.status_code == 403
    period.refresh_from_db()
    assert period.opened_at is None
