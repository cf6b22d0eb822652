"""Undo of the most recent import: puts back exactly what it changed, keeps (and lists) what
the school changed afterwards, only for the last import and within 14 days."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from parents.services import parent_delete, parent_update
from schools.import_undo import UndoError, import_undo, import_undoable
from schools.importer import guardian_token, import_apply
from schools.models import (
    Group,
    Guardianship,
    ImportBatch,
    ImportChange,
    Parent,
    ParentTombstone,
    Pupil,
    School,
    StaffMember,
)
from schools.tests.test_import import csv, row
from schools.tests.test_import_memory import BAS, export

STAFF = (
    "Voornaam;Tussenvoegsel;Achternaam;E-mail;Rol;Groepen;Mag ouders wijzigen\n"
    "Jan;;Vos;jan@linde.test;leerkracht;Groep 3;nee\n"
)


@pytest.fixture
def school(db):
    return School.objects.create(name="De Linde", slug="de-linde", from_email="info@linde.test")


def snapshot(school):
    """Everything an import touches, as comparable values."""
    return {
        "groups": sorted(Group.objects.filter(school=school).values_list("name", flat=True)),
        "pupils": sorted(
            Pupil.objects.filter(school=school).values_list(
                "number", "first_name", "infix", "last_name", "group__name", "left_on"
            )
        ),
        "parents": sorted(
            Parent.objects.filter(school=school).values_list(
                "first_name", "last_name", "email", "phone", "street", "house_number", "postcode"
            )
        ),
        "links": sorted(
            Guardianship.objects.filter(pupil__school=school).values_list(
                "parent__email", "parent__first_name", "pupil__number", "relation"
            )
        ),
        "tombstones": sorted(
            tuple(t) for t in ParentTombstone.objects.filter(school=school).values_list("digests")
        ),
        "staff": sorted(
            StaffMember.objects.filter(school=school).values_list(
                "email", "last_name", "is_active", "can_edit_parents"
            )
        ),
    }


def later_export():
    """A next export that changes a bit of everything."""
    return csv(
        row("1", "Sam", "Groep 4", p1=("moeder", "Ank", "", "Smit", "ank@example.nl"), p2=BAS),
        row("3", "Mia", "Groep 5", p1=("verzorger", "Kees", "de", "Boer", ""), last="Boer"),
        row("4", "Noor", "Groep 9", p1=("moeder", "Fatma", "", "Kaya", "fatma@example.nl")),
    ).replace("bas@example.nl;06-12345678", "bas@example.nl;06-44443333")


def test_undo_puts_back_exactly_what_the_import_changed(school):
    import_apply(school=school, pupils_csv=export(), staff_csv=STAFF)
    parent_delete(parent=Parent.objects.get(email="ank@example.nl"), request=None)
    before = snapshot(school)
    token = guardian_token(school, "ank@example.nl")
    staff = STAFF.replace(";nee", ";ja")
    import_apply(school=school, pupils_csv=later_export(), staff_csv=staff, restore={token})
    after = snapshot(school)
    assert after != before
    assert Pupil.objects.get(number="2").left_on is not None  # Tim left
    batch = import_undoable(school=school)
    preview = import_undo(batch=batch, dry_run=True)
    assert snapshot(school) == after  # the preview wrote nothing
    assert "Noor Smit (4) verwijderd (nieuw door de import)" in preview.restored
    assert "Groep 9 verwijderd (nieuw door de import)" in preview.restored
    assert "Tim Smit (2): groep terug naar Groep 5, weer op school" in (preview.restored)
    assert "Bas Smit: telefoon terug naar 06-12345678" in preview.restored
    report = import_undo(batch=batch)
    assert report == preview
    assert snapshot(school) == before
    assert not ImportChange.objects.filter(batch=batch).exists()
    assert import_undoable(school=school) is None


def test_undo_keeps_and_lists_what_the_school_changed_after_the_import(school):
    import_apply(school=school, pupils_csv=export())
    import_apply(school=school, pupils_csv=later_export())
    bas = Parent.objects.get(email="bas@example.nl")
    data = {f: getattr(bas, f) for f in ("first_name", "infix", "last_name", "email", "phone")}
    data |= {"street": bas.street, "house_number": bas.house_number}
    data |= {"postcode": bas.postcode, "city": bas.city}
    parent_update(parent=bas, data=data | {"phone": "06-00001111"}, request=None)
    fatma = Parent.objects.get(email="fatma@example.nl")
    fatma.is_blocked = True
    fatma.save()
    Pupil.objects.filter(number="1").update(group=Group.objects.get(name="Groep 5"))
    report = import_undo(batch=import_undoable(school=school))
    assert sorted(report.kept) == [
        "Bas Smit: telefoon is na de import gewijzigd (nu 06-00001111) en blijft",
        "Fatma Kaya blijft: na de import gewijzigd (geblokkeerd)",
        "Sam Smit (1): groep is na de import gewijzigd (nu Groep 5) en blijft",
    ]
    assert Parent.objects.get(pk=bas.pk).phone == "06-00001111"
    assert Parent.objects.filter(email="fatma@example.nl").exists()
    assert Pupil.objects.get(number="1").group.name == "Groep 5"
    # What the school did not touch went back.
    assert not Pupil.objects.filter(number="4").exists()
    assert Pupil.objects.get(number="2").left_on is None


def test_only_the_most_recent_import_within_14_days_can_be_undone(school):
    import_apply(school=school, pupils_csv=export())
    first = import_undoable(school=school)
    import_apply(school=school, pupils_csv=later_export())
    with pytest.raises(UndoError):
        import_undo(batch=first)
    latest = import_undoable(school=school)
    ImportBatch.objects.update(applied_at=timezone.now() - datetime.timedelta(days=15))
    assert import_undoable(school=school) is None
    with pytest.raises(UndoError):
        import_undo(batch=latest)


def test_undoing_the_first_import_empties_the_school_again(school):
    import_apply(school=school, pupils_csv=export(), staff_csv=STAFF)
    assert StaffMember.objects.filter(school=school).exists()
    import_undo(batch=import_undoable(school=school))
    assert snapshot(school) == snapshot(
        School.objects.create(name="Leeg", slug="leeg", from_email="l@x.test")
    )


def test_the_beheerder_undoes_from_the_import_page(client, world, login):
    login(world.bea)
    import_apply(school=world.school, pupils_csv=csv(row("77", "Nina", "Groep 7")))
    page = client.get(reverse("schools:import_upload"))
    batch = page.context["undoable"]
    assert "Import ongedaan maken" in page.text
    url = reverse("schools:import_undo", args=[batch.pk])
    preview = client.get(url)
    assert "Nina Smit (77) verwijderd (nieuw door de import)" in preview.text
    assert Pupil.objects.filter(number="77").exists()
    client.post(url)
    assert not Pupil.objects.filter(number="77").exists()
    assert AuditEvent.objects.filter(action="import_undo").exists()


def test_another_schools_import_cannot_be_undone(client, world, login):
    import_apply(school=world.other_school, pupils_csv=csv(row("77", "Nina", "Groep 7")))
    batch = import_undoable(school=world.other_school)
    login(world.bea)
    url = reverse("schools:import_undo", args=[batch.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert Pupil.objects.filter(number="77").exists()
