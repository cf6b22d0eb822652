"""Re-imports keep the school's own decisions: deleted, blocked, edited and renamed parents,
pupils moved early; conflicts go to the beheerder; matching follows people."""

import pytest

from parents.services import parent_delete, parent_update
from privacy.services import parent_erase
from privacy.tests.test_privacy import rows_mentioning
from schools.importer import guardian_token, import_apply, import_plan
from schools.models import (
    Group,
    Guardianship,
    Parent,
    ParentBaseline,
    ParentTombstone,
    Pupil,
    PupilBaseline,
    School,
)
from schools.services import parent_set_blocked
from schools.tests.test_import import csv, row

ANK = ("moeder", "Ank", "", "Smit", "ank@example.nl")
BAS = ("vader", "Bas", "", "Smit", "bas@example.nl")
KEES = ("verzorger", "Kees", "de", "Boer", "")


@pytest.fixture
def school(db):
    return School.objects.create(name="De Linde", slug="de-linde", from_email="info@linde.test")


def export():
    return csv(
        row("1", "Sam", "Groep 3", p1=ANK, p2=BAS),
        row("2", "Tim", "Groep 5", p1=ANK),
        row("3", "Mia", "Groep 5", p1=KEES, last="Boer"),
    )


def edit(parent: Parent, **changes) -> None:
    data = {f: getattr(parent, f) for f in ("first_name", "infix", "last_name", "email")}
    data |= {f: getattr(parent, f) for f in ("phone", "street", "house_number", "postcode")}
    data["city"] = parent.city
    parent_update(parent=parent, data=data | changes, request=None)


def test_a_deleted_parent_is_not_created_again_by_the_next_import(school):
    import_apply(school=school, pupils_csv=export())
    parent_delete(parent=Parent.objects.get(email="ank@example.nl"), request=None)
    plan = import_plan(school=school, pupils_csv=export())
    assert [d.description for d in plan.deleted_parents] == ["Ank Smit (ank@example.nl)"]
    assert plan.deleted_parents[0].children == ["Sam Smit (1)", "Tim Smit (2)"]
    assert plan.parents_added == [] and plan.links_added == 0
    import_apply(school=school, pupils_csv=export())
    assert not Parent.objects.filter(first_name="Ank").exists()
    assert [p.first_name for p in Pupil.objects.get(number="1").parents.all()] == ["Bas"]
    assert Pupil.objects.get(number="2").parents.count() == 0


def test_a_deleted_parent_renamed_first_and_without_email_is_still_remembered(school):
    import_apply(school=school, pupils_csv=export())
    kees = Parent.objects.get(first_name="Kees")
    edit(kees, first_name="Cees")
    parent_delete(parent=kees, request=None)
    import_apply(school=school, pupils_csv=export())
    assert not Parent.objects.filter(last_name="Boer").exists()


def test_the_beheerder_restores_a_deleted_parent_from_the_preview(school):
    import_apply(school=school, pupils_csv=export())
    parent_delete(parent=Parent.objects.get(email="ank@example.nl"), request=None)
    token = guardian_token(school, "ank@example.nl")
    plan = import_plan(school=school, pupils_csv=export(), restore={token})
    assert plan.deleted_parents[0].restore and plan.parents_added == ["Ank Smit (ank@example.nl)"]
    import_apply(school=school, pupils_csv=export(), restore={token})
    ank = Parent.objects.get(email="ank@example.nl")
    assert sorted(p.first_name for p in ank.pupils.all()) == ["Sam", "Tim"]
    assert not ParentTombstone.objects.exists()


def test_a_tombstone_holds_no_personal_data_and_differs_per_school(school):
    other = School.objects.create(name="De Eik", slug="de-eik", from_email="info@eik.test")
    for s in (school, other):
        import_apply(school=s, pupils_csv=export())
        parent_delete(parent=Parent.objects.get(school=s, email="ank@example.nl"), request=None)
    assert rows_mentioning("ank@example.nl", "Ank") == []
    mine, theirs = (ParentTombstone.objects.get(school=s) for s in (school, other))
    assert len(mine.digests) == 2 and set(mine.digests).isdisjoint(theirs.digests)
    assert mine.reason == "verwijderd"


def test_an_avg_erasure_still_erases_and_keeps_the_parent_out_of_later_imports(school):
    import_apply(school=school, pupils_csv=export())
    ank = Parent.objects.get(email="ank@example.nl")
    edit(ank, phone="06-55554444")
    parent_erase(parent=ank, remember=ParentTombstone.Reason.ERASED)
    # Nothing of hers is left: not the data, not what the import brought in (baseline).
    assert rows_mentioning("ank@example.nl", "06-55554444", "Ank") == []
    assert ParentTombstone.objects.get().reason == "gewist"
    import_apply(school=school, pupils_csv=export())
    assert not Parent.objects.filter(email="ank@example.nl").exists()


def test_retention_erases_leavers_without_a_tombstone(school):
    import_apply(school=school, pupils_csv=export())
    parent_erase(parent=Parent.objects.get(email="bas@example.nl"))
    assert not ParentTombstone.objects.exists()


def test_a_blocked_parent_stays_blocked_and_is_not_duplicated(school):
    import_apply(school=school, pupils_csv=export())
    parent_set_blocked(parent=Parent.objects.get(email="bas@example.nl"), blocked=True)
    plan = import_plan(school=school, pupils_csv=export())
    assert not plan.has_changes
    import_apply(school=school, pupils_csv=export())
    assert Parent.objects.get(email="bas@example.nl").is_blocked
    assert Parent.objects.filter(first_name="Bas").count() == 1


def test_the_schools_edit_survives_a_reimport_of_the_old_data(school):
    import_apply(school=school, pupils_csv=export())
    edit(Parent.objects.get(email="ank@example.nl"), phone="06-11110000", street="Kerkstraat")
    plan = import_plan(school=school, pupils_csv=export())
    assert plan.parents_changed == [] and plan.conflicts == []
    assert plan.kept == [
        "Ank Smit: telefoon blijft 06-11110000 (gewijzigd in OCS; de export heeft nog 06-12345678)",
        "Ank Smit: straat blijft Kerkstraat (gewijzigd in OCS; de export heeft nog Dorpsstraat)",
    ]
    import_apply(school=school, pupils_csv=export())
    ank = Parent.objects.get(email="ank@example.nl")
    assert (ank.phone, ank.street) == ("06-11110000", "Kerkstraat")


def test_what_the_export_changed_is_applied_next_to_the_schools_edit(school):
    import_apply(school=school, pupils_csv=export())
    edit(Parent.objects.get(email="ank@example.nl"), phone="06-11110000")
    later = export().replace("Dorpsstraat", "Molenweg")
    plan = import_plan(school=school, pupils_csv=later)
    assert plan.parents_changed == [
        "Ank Smit: straat Dorpsstraat → Molenweg",
        "Bas Smit: straat Dorpsstraat → Molenweg",
        "Kees de Boer: straat Dorpsstraat → Molenweg",
    ]
    import_apply(school=school, pupils_csv=later)
    ank = Parent.objects.get(email="ank@example.nl")
    assert (ank.phone, ank.street) == ("06-11110000", "Molenweg")


def test_both_sides_changed_is_a_conflict_the_beheerder_decides(school):
    import_apply(school=school, pupils_csv=export())
    ank = Parent.objects.get(email="ank@example.nl")
    edit(ank, phone="06-11110000")
    later = export().replace("06-12345678", "06-22220000")
    plan = import_plan(school=school, pupils_csv=later)
    [conflict] = [c for c in plan.conflicts if c.who == "Ank Smit"]
    assert (conflict.label, conflict.ocs, conflict.export, conflict.choice) == (
        "telefoon",
        "06-11110000",
        "06-22220000",
        "ocs",
    )
    # Without a choice the school's value stays, and the conflict does not come back.
    import_apply(school=school, pupils_csv=later)
    assert Parent.objects.get(pk=ank.pk).phone == "06-11110000"
    assert [c for c in import_plan(school=school, pupils_csv=later).conflicts] == []
    # A newer export value with the beheerder choosing the export.
    newer = export().replace("06-12345678", "06-33330000")
    key = next(
        c.key for c in import_plan(school=school, pupils_csv=newer).conflicts if c.who == "Ank Smit"
    )
    import_apply(school=school, pupils_csv=newer, choices={key: "export"})
    assert Parent.objects.get(pk=ank.pk).phone == "06-33330000"


def test_a_renamed_parent_without_email_is_recognised_and_keeps_the_new_name(school):
    import_apply(school=school, pupils_csv=export())
    kees = Parent.objects.get(first_name="Kees")
    edit(kees, first_name="Cees", phone="06-99990000")
    plan = import_plan(school=school, pupils_csv=export())
    assert plan.parents_added == [] and plan.links_added == 0
    assert plan.matches == [
        "Kees de Boer (geen e-mail) is in OCS Cees de Boer (geen e-mail); herkend aan naam en "
        "adres zoals in de vorige export"
    ]
    import_apply(school=school, pupils_csv=export())
    assert Parent.objects.filter(last_name="Boer").count() == 1
    cees = Parent.objects.get(pk=kees.pk)
    assert (cees.first_name, cees.phone) == ("Cees", "06-99990000")
    assert [p.first_name for p in cees.pupils.all()] == ["Mia"]


def test_a_renamed_parent_from_before_baselines_is_recognised_through_child_and_address(school):
    import_apply(school=school, pupils_csv=export())
    ParentBaseline.objects.all().delete()
    PupilBaseline.objects.all().delete()
    Parent.objects.filter(first_name="Kees").update(first_name="Cees")
    plan = import_plan(school=school, pupils_csv=export())
    assert plan.parents_added == []
    assert plan.matches == [
        "Kees de Boer (geen e-mail) is in OCS Cees de Boer (geen e-mail); herkend aan kind en "
        "adres (Mia Boer (3))"
    ]
    import_apply(school=school, pupils_csv=export())
    assert Parent.objects.filter(last_name="Boer").count() == 1


def test_two_parents_at_one_address_are_told_apart_by_their_relation(school):
    mother = ("moeder", "Eva", "", "Boer", "")
    father = ("vader", "Kees", "", "Boer", "")
    first = csv(row("3", "Mia", "Groep 5", p1=mother, p2=father, last="Boer"))
    import_apply(school=school, pupils_csv=first)
    ParentBaseline.objects.all().delete()
    Parent.objects.filter(first_name="Kees").update(first_name="Cees")
    Parent.objects.filter(first_name="Eva").update(first_name="Eefje")
    plan = import_plan(school=school, pupils_csv=first)
    assert plan.matches == [
        "Eva Boer (geen e-mail) is in OCS Eefje Boer (geen e-mail); herkend aan kind en adres "
        "(Mia Boer (3))",
        "Kees Boer (geen e-mail) is in OCS Cees Boer (geen e-mail); herkend aan kind en adres "
        "(Mia Boer (3))",
    ]
    import_apply(school=school, pupils_csv=first)
    # Without a record of the previous export the export's names win; nobody is doubled.
    assert Parent.objects.count() == 2
    assert Guardianship.objects.get(parent__first_name="Eva").relation == "moeder"


def test_a_changed_email_in_the_export_is_matched_through_the_child_not_created_anew(school):
    import_apply(school=school, pupils_csv=export())
    bas = Parent.objects.get(email="bas@example.nl")
    later = export().replace("bas@example.nl", "bas.smit@example.nl")
    plan = import_plan(school=school, pupils_csv=later)
    assert plan.parents_added == []
    assert plan.matches == [
        "Bas Smit (bas.smit@example.nl) is in OCS Bas Smit (bas@example.nl); herkend aan kind "
        "en naam (Sam Smit (1))"
    ]
    assert plan.parents_changed == ["Bas Smit: e-mail bas@example.nl → bas.smit@example.nl"]
    import_apply(school=school, pupils_csv=later)
    assert Parent.objects.get(pk=bas.pk).email == "bas.smit@example.nl"
    assert Parent.objects.count() == 3


def test_a_pupil_the_school_moved_early_stays_in_the_new_group_until_the_export_follows(school):
    import_apply(school=school, pupils_csv=export())
    group6 = Group.objects.create(school=school, name="Groep 6")
    Pupil.objects.filter(number="2").update(group=group6)
    import_apply(school=school, pupils_csv=export())
    assert Pupil.objects.get(number="2").group.name == "Groep 6"
    moved = export().replace("2;Tim;;Smit;Groep 5", "2;Tim;;Smit;Groep 6")
    assert not import_plan(school=school, pupils_csv=moved).pupils_changed
    import_apply(school=school, pupils_csv=moved)
    later = export().replace("2;Tim;;Smit;Groep 5", "2;Tim;;Smit;Groep 7")
    import_apply(school=school, pupils_csv=later)
    assert Pupil.objects.get(number="2").group.name == "Groep 7"


def test_a_link_the_school_removed_is_not_made_again(school):
    import_apply(school=school, pupils_csv=export())
    Guardianship.objects.filter(pupil__number="2", parent__email="ank@example.nl").delete()
    plan = import_plan(school=school, pupils_csv=export())
    assert plan.links_added == 0
    import_apply(school=school, pupils_csv=export())
    assert Pupil.objects.get(number="2").parents.count() == 0


def test_a_damaged_name_in_the_export_does_not_overwrite_the_intact_one(school):
    good = csv(row("1", "Emir", "Groep 3", p1=("vader", "Ahmet", "", "Şahin", "")))
    import_apply(school=school, pupils_csv=good)
    damaged = good.replace("Şahin", "?ahin")
    plan = import_plan(school=school, pupils_csv=damaged)
    assert plan.parents_added == [] and plan.parents_changed == []
    import_apply(school=school, pupils_csv=damaged)
    assert Parent.objects.get().last_name == "Şahin"


def test_the_avg_export_shows_what_the_last_import_said_about_the_parent(school):
    from privacy.services import parent_export

    import_apply(school=school, pupils_csv=export())
    ank = Parent.objects.get(email="ank@example.nl")
    edit(ank, phone="06-11110000")
    document = parent_export(parent=ank)
    assert document["ouder"]["telefoon"] == "06-11110000"
    assert document["laatste_import"]["telefoon"] == "06-12345678"
