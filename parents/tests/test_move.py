from datetime import date

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from parents.services import (
    LEAVE,
    STAY,
    MoveError,
    group_move,
    year_end_apply,
    year_end_plan,
)
from schools.models import Group, Pupil


def test_verplaats_naar_shows_who_moves_and_moves_nothing_before_confirmation(client, world, login):
    login(world.anna)
    url = reverse("parents:group_move", args=[world.g3.public_id])
    preview = client.post(url, {"target": str(world.g4.public_id)})
    assert preview.status_code == 200
    assert "Sam Jansen" in preview.text and "Petra Jansen" in preview.text
    assert "Ja, verplaats naar Groep 4" in preview.text
    assert Pupil.objects.get(pk=world.sam.pk).group == world.g3


def test_confirming_the_move_takes_the_pupils_and_their_parents_along(client, world, login):
    login(world.anna)
    url = reverse("parents:group_move", args=[world.g3.public_id])
    preview = client.post(url, {"target": str(world.g4.public_id)})
    fingerprint = preview.context["fingerprint"]
    response = client.post(
        url, {"target": str(world.g4.public_id), "fingerprint": fingerprint, "confirm": "1"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("parents:group_list")  # anna cannot see Groep 4
    assert Pupil.objects.get(pk=world.sam.pk).group == world.g4
    login(world.bram)  # the teacher of Groep 4 now sees Petra
    page = client.get(reverse("parents:group_detail", args=[world.g4.public_id]))
    assert "Petra Jansen" in page.text
    event = AuditEvent.objects.get(action="move")
    assert event.detail == {"target_group_id": world.g4.pk, "pupils": 1}


def test_a_move_is_refused_when_the_group_changed_after_the_preview(client, world, login):
    login(world.anna)
    url = reverse("parents:group_move", args=[world.g3.public_id])
    fingerprint = client.post(url, {"target": str(world.g4.public_id)}).context["fingerprint"]
    Pupil.objects.create(
        school=world.school, number="9", first_name="Nieuw", last_name="Kind", group=world.g3
    )
    response = client.post(
        url,
        {"target": str(world.g4.public_id), "fingerprint": fingerprint, "confirm": "1"},
        follow=True,
    )
    assert "De groep is gewijzigd sinds het overzicht" in response.text
    assert Pupil.objects.filter(group=world.g3).count() == 2


def test_a_group_cannot_move_into_a_group_of_another_school_or_itself(world):
    with pytest.raises(MoveError):
        group_move(source=world.g3, target=world.other_group)
    with pytest.raises(MoveError):
        group_move(source=world.g3, target=world.g3)
    assert Pupil.objects.get(pk=world.sam.pk).group == world.g3


def test_the_move_form_offers_only_groups_of_the_own_school(client, world, login):
    login(world.anna)
    url = reverse("parents:group_move", args=[world.g3.public_id])
    response = client.post(url, {"target": str(world.other_group.public_id), "confirm": "1"})
    assert response.status_code == 200
    assert Pupil.objects.get(pk=world.sam.pk).group == world.g3


def test_a_move_is_all_or_nothing(world, monkeypatch):
    for i in range(3):
        Pupil.objects.create(
            school=world.school, number=f"x{i}", first_name="K", last_name=f"{i}", group=world.g3
        )

    def broken_audit(**kwargs):
        raise RuntimeError("audit unavailable")

    monkeypatch.setattr("parents.services.audit_record", broken_audit)
    with pytest.raises(RuntimeError):
        group_move(source=world.g3, target=world.g4)
    assert Pupil.objects.filter(group=world.g3).count() == 4


@pytest.fixture
def school_years(world):
    """A full school: 1/2A, 1/2B, 3 (already there) ... 8, with one pupil each."""
    names = ["Groep 1/2A", "Groep 1/2B", "Groep 5", "Groep 6", "Groep 7", "Groep 8"]
    groups = {g.name: g for g in [world.g3, world.g4]}
    for name in names:
        groups[name] = Group.objects.create(school=world.school, name=name)
    for name, group in groups.items():
        if name not in ("Groep 3", "Groep 4"):
            Pupil.objects.create(
                school=world.school, number=name, first_name="Kind", last_name=name, group=group
            )
    return groups


def test_the_year_end_rule_moves_every_group_up_and_groep_8_leaves(world, school_years):
    plan = {row.group.name: row.target for row in year_end_plan(school=world.school).rows}
    ids = {name: str(g.public_id) for name, g in school_years.items()}
    assert plan == {
        "Groep 1/2A": ids["Groep 3"],
        "Groep 1/2B": ids["Groep 3"],
        "Groep 3": ids["Groep 4"],
        "Groep 4": ids["Groep 5"],
        "Groep 5": ids["Groep 6"],
        "Groep 6": ids["Groep 7"],
        "Groep 7": ids["Groep 8"],
        "Groep 8": LEAVE,
    }


def test_parallel_groups_are_left_for_the_beheerder_to_choose(world):
    Group.objects.create(school=world.school, name="Groep 5A")
    Group.objects.create(school=world.school, name="Groep 5B")
    plan = {row.group.name: row.target for row in year_end_plan(school=world.school).rows}
    assert plan["Groep 4"] == STAY
    assert plan["Groep 5A"] == STAY  # no Groep 6


def test_the_year_end_moves_all_groups_at_once_without_carrying_pupils_twice(world, school_years):
    targets = {
        str(row.group.public_id): row.target for row in year_end_plan(school=world.school).rows
    }
    result = year_end_apply(school=world.school, targets=targets, today=date(2027, 7, 9))
    assert result == {"moved": 7, "left": 1}
    sam = Pupil.objects.get(pk=world.sam.pk)
    lotte = Pupil.objects.get(pk=world.lotte.pk)
    assert sam.group.name == "Groep 4" and lotte.group.name == "Groep 5"
    assert Pupil.objects.filter(group=world.g3).count() == 2  # both 1/2 groups
    assert Pupil.objects.get(pk=world.eik_kid.pk).group == world.other_group  # other school
    leaver = Pupil.objects.get(number="Groep 8")
    assert leaver.group is None and leaver.left_on == date(2027, 7, 9)


def test_the_beheerder_previews_adjusts_and_confirms_the_year_end(
    client, world, login, school_years
):
    login(world.bea)
    url = reverse("parents:year_end")
    page = client.get(url)
    assert "Nieuw schooljaar" in page.text and "verlaat de school" in page.text
    form = {
        f"g_{row.group.public_id}": row.target for row in year_end_plan(school=world.school).rows
    }
    form[f"g_{school_years['Groep 1/2B'].public_id}"] = STAY  # the beheerder adjusts
    preview = client.post(url, form)
    assert preview.status_code == 200 and "Ja, verplaats alle groepen" in preview.text
    assert Pupil.objects.get(pk=world.sam.pk).group == world.g3  # nothing moved yet
    back = client.post(url, {**form, "back": "1"})
    assert "Ja, verplaats alle groepen" not in back.text
    assert back.context["form"][f"g_{school_years['Groep 1/2B'].public_id}"].value() == STAY
    done = client.post(url, {**form, "confirm": "1"})
    assert done.status_code == 302
    assert Pupil.objects.get(number="Groep 1/2B").group.name == "Groep 1/2B"
    assert Pupil.objects.get(number="Groep 1/2A").group.name == "Groep 3"
    assert Pupil.objects.get(pk=world.sam.pk).group.name == "Groep 4"
    event = AuditEvent.objects.get(action="move")
    assert event.detail["year_end"] is True and event.detail["left"] == 1


def test_a_group_cannot_be_mapped_onto_itself(client, world, login):
    login(world.bea)
    response = client.post(
        reverse("parents:year_end"),
        {f"g_{world.g3.public_id}": str(world.g3.public_id), f"g_{world.g4.public_id}": STAY},
    )
    assert "Kies een andere groep" in response.text
