"""A waiting list for full groups (automatic promotion with a mail) and a lottery for
popular ones (seeded, recorded, last draw's losers first)."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from schools.models import Pupil
from specialgroups import services, waitlist
from specialgroups.models import LotteryDraw, Signup, SpecialGroup

pytestmark = pytest.mark.django_db


@pytest.fixture
def parents(world, make_parent):
    out = []
    for i in range(6):
        kid = Pupil.objects.create(
            school=world.school, number=f"W{i}", first_name=f"K{i}", last_name="W", group=world.g3
        )
        out.append(make_parent(world.school, f"wacht{i}@example.nl", pupils=[kid]))
    return out


def members(group):
    return set(Signup.objects.filter(special_group=group).values_list("parent_id", flat=True))


def close(group):
    SpecialGroup.objects.filter(pk=group.pk).update(
        signup_deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    group.refresh_from_db()


def test_a_freed_place_goes_to_the_first_in_line_with_a_mail(
    world, sg, parents, django_capture_on_commit_callbacks
):
    for p in parents[:3]:
        services.signup_create(special_group=sg.trip, parent=p)
    with pytest.raises(services.SignupFull):
        services.signup_create(special_group=sg.trip, parent=parents[3])
    waitlist.waitlist_join(special_group=sg.trip, parent=parents[3])
    waitlist.waitlist_join(special_group=sg.trip, parent=parents[4])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.signup_delete(special_group=sg.trip, parent=parents[0])
    assert members(sg.trip) == {parents[1].pk, parents[2].pk, parents[3].pk}
    promoted = [m for m in mail.outbox if m.to == [parents[3].email]]
    assert len(promoted) == 1 and "Schoolreis" in promoted[0].subject
    assert not [m for m in mail.outbox if m.to == [parents[4].email]]


def test_the_waiting_list_is_only_for_a_full_group(world, sg, parents):
    with pytest.raises(waitlist.NotFull):
        waitlist.waitlist_join(special_group=sg.trip, parent=parents[0])


def test_after_the_end_date_nobody_is_promoted(world, sg, parents):
    for p in parents[:3]:
        services.signup_create(special_group=sg.trip, parent=p)
    waitlist.waitlist_join(special_group=sg.trip, parent=parents[3])
    close(sg.trip)
    services.signup_delete(special_group=sg.trip, parent=parents[0])
    assert parents[3].pk not in members(sg.trip)


def test_the_lottery_is_seeded_replayable_and_puts_last_times_losers_first(
    world, sg, parents, make_special_group, django_capture_on_commit_callbacks
):
    SpecialGroup.objects.filter(pk=sg.trip.pk).update(lottery=True, max_participants=2)
    sg.trip.refresh_from_db()
    with pytest.raises(services.LotteryOnly):
        services.signup_create(special_group=sg.trip, parent=parents[0])
    for p in parents:
        waitlist.waitlist_join(special_group=sg.trip, parent=p)
    with pytest.raises(waitlist.DrawError):
        waitlist.lottery_draw(special_group=sg.trip, seed=7)  # not before the end date
    close(sg.trip)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        draw = waitlist.lottery_draw(special_group=sg.trip, seed=7)
    assert len(draw.winners) == 2 and len(draw.losers) == 4
    assert members(sg.trip) == set(draw.winners)
    assert len(mail.outbox) == 6  # everyone hears the result
    with pytest.raises(waitlist.DrawError):
        waitlist.lottery_draw(special_group=sg.trip, seed=8)  # once

    # The same entries and seed give the same draw (the Logboek's seed replays it).
    LotteryDraw.objects.all().delete()
    Signup.objects.filter(special_group=sg.trip).delete()
    for p in parents:
        if p.pk in draw.winners:
            waitlist.WaitlistEntry.objects.create(special_group=sg.trip, parent=p)
    replay = waitlist.lottery_draw(special_group=sg.trip, seed=7)
    assert replay.winners == draw.winners

    # Next popular activity: the losers of this draw go first.
    second = make_special_group(
        world.school, "Kerstmarkt", activity=True, eligible_groups=[world.g3], max_participants=4
    )
    SpecialGroup.objects.filter(pk=second.pk).update(lottery=True)
    second.refresh_from_db()
    for p in parents:
        waitlist.waitlist_join(special_group=second, parent=p)
    close(second)
    for seed in range(5):
        LotteryDraw.objects.filter(special_group=second).delete()
        Signup.objects.filter(special_group=second).delete()
        next_draw = waitlist.lottery_draw(special_group=second, seed=seed)
        assert set(next_draw.winners) == set(replay.losers)
        for p in next_draw.winners:
            waitlist.WaitlistEntry.objects.create(special_group=second, parent_id=p)


def test_staff_draw_and_the_seed_is_in_the_logboek(world, sg, parents, login):
    from audit.models import AuditEvent

    SpecialGroup.objects.filter(pk=sg.trip.pk).update(lottery=True)
    for p in parents[:4]:
        waitlist.waitlist_join(special_group=sg.trip, parent=p)
    close(sg.trip)
    client = login(world.anna)
    response = client.post(reverse("specialgroups:lottery_draw", args=[sg.trip.public_id]))
    assert response.status_code == 302
    draw = LotteryDraw.objects.get()
    event = AuditEvent.objects.filter(object_id=str(sg.trip.pk)).latest("pk")
    assert str(draw.seed) in str(event.detail)
    assert (
        login(world.olaf)
        .post(reverse("specialgroups:lottery_draw", args=[sg.trip.public_id]))
        .status_code
        == 404
    )


def test_a_parent_joins_the_waiting_list_in_the_portal(world, sg, parents, login):
    for p in parents[:3]:
        services.signup_create(special_group=sg.trip, parent=p)
    client = login(parents[3])
    page = client.get(reverse("specialgroups:portal_list")).content.decode()
    assert "Op de wachtlijst" in page
    client.post(reverse("specialgroups:portal_wait", args=[sg.trip.public_id]))
    page = client.get(reverse("specialgroups:portal_list")).content.decode()
    assert "U staat op de wachtlijst" in page
