import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from specialgroups.models import Signup
from specialgroups.selectors import parents_eligible_for, special_groups_open_to_parent
from specialgroups.services import (
    AlreadySignedUp,
    SignupClosed,
    SignupFull,
    SignupNotAllowed,
    signup_create,
    signup_delete,
)

AMS = ZoneInfo("Europe/Amsterdam")


def open_names(parent):
    return sorted(special_groups_open_to_parent(parent).values_list("name", flat=True))


def test_a_parent_sees_school_wide_groups_and_those_of_their_childrens_groups(world, sg):
    assert open_names(world.petra) == ["Schoolreis", "Voorleesouders"]
    assert open_names(world.quinten) == ["Luizenouders 4", "Schoolreis", "Voorleesouders"]
    assert open_names(world.eik_parent) == ["Eik-ouders"]


def test_a_blocked_parent_sees_nothing_and_cannot_sign_up(world, sg):
    world.petra.is_blocked = True
    world.petra.save()
    assert open_names(world.petra) == []
    with pytest.raises(SignupNotAllowed):
        signup_create(special_group=sg.school_wide, parent=world.petra)


def test_a_parent_without_a_current_pupil_is_not_a_parent_of_the_school(world, sg, make_parent):
    from schools.models import Pupil

    gone = Pupil.objects.create(
        school=world.school, number="9", first_name="Oud", last_name="Leerling", group=None
    )
    former = make_parent(world.school, "former@example.nl", pupils=[gone])
    assert open_names(former) == []
    with pytest.raises(SignupNotAllowed):
        signup_create(special_group=sg.school_wide, parent=former)


def test_a_parent_cannot_join_a_group_of_another_class_or_school(world, sg):
    with pytest.raises(SignupNotAllowed):
        signup_create(special_group=sg.g4_only, parent=world.petra)
    with pytest.raises(SignupNotAllowed):
        signup_create(special_group=sg.other_school, parent=world.petra)


def test_eligible_parents_exclude_blocked_ones(world, sg, make_parent):
    blocked = make_parent(world.school, "blocked@example.nl", pupils=[world.sam], is_blocked=True)
    assert set(parents_eligible_for(sg.trip)) == {world.petra, world.quinten}
    assert blocked not in parents_eligible_for(sg.school_wide)
    assert set(parents_eligible_for(sg.g4_only)) == {world.quinten}


def test_the_maximum_refuses_the_next_parent_and_a_withdrawal_frees_the_place(
    world, sg, make_parent
):
    extra = [make_parent(world.school, f"p{i}@example.nl", pupils=[world.sam]) for i in range(2)]
    for parent in [world.petra, *extra]:
        signup_create(special_group=sg.trip, parent=parent)
    with pytest.raises(SignupFull):
        signup_create(special_group=sg.trip, parent=world.quinten)
    assert signup_delete(special_group=sg.trip, parent=world.petra)
    signup_create(special_group=sg.trip, parent=world.quinten)
    assert Signup.objects.filter(special_group=sg.trip).count() == 3


def test_signing_up_twice_is_reported_and_stored_once(world, sg):
    signup_create(special_group=sg.school_wide, parent=world.petra)
    with pytest.raises(AlreadySignedUp):
        signup_create(special_group=sg.school_wide, parent=world.petra)
    assert Signup.objects.filter(special_group=sg.school_wide).count() == 1


def _at(monkeypatch, when: datetime.datetime):
    monkeypatch.setattr(timezone, "now", lambda: when)


def test_the_end_date_is_inclusive_in_amsterdam_time(world, sg, monkeypatch):
    deadline = datetime.date(2027, 3, 10)
    sg.trip.signup_deadline = deadline
    sg.trip.save()
    # 23:59 in Amsterdam on the end date is 22:59 UTC: still open.
    _at(monkeypatch, datetime.datetime(2027, 3, 10, 23, 59, tzinfo=AMS))
    signup_create(special_group=sg.trip, parent=world.petra)
    # 00:30 in Amsterdam the day after is still 23:30 UTC on the end date: already closed.
    _at(monkeypatch, datetime.datetime(2027, 3, 11, 0, 30, tzinfo=AMS))
    with pytest.raises(SignupClosed):
        signup_create(special_group=sg.trip, parent=world.quinten)


def test_staff_may_add_after_the_end_date_but_never_beyond_the_maximum(world, sg, make_parent):
    sg.trip.signup_deadline = timezone.localdate() - datetime.timedelta(days=1)
    sg.trip.max_participants = 1
    sg.trip.save()
    signup_create(
        special_group=sg.trip, parent=world.petra, added_by=world.anna.user, enforce_deadline=False
    )
    with pytest.raises(SignupFull):
        signup_create(special_group=sg.trip, parent=world.quinten, enforce_deadline=False)
