"""The next import treats a parent's own correction like the school's edit."""

import pytest

from families.services import detail_change_decide, details_submit, family_policy_update
from schools.importer import import_apply, import_plan
from schools.models import Parent, School
from schools.tests.test_import import csv, row

ANK = ("moeder", "Ank", "", "Smit", "ank@example.nl")


@pytest.fixture
def school(db):
    return School.objects.create(name="De Linde", slug="de-linde", from_email="info@linde.test")


def correct(parent: Parent, **changes):
    data = {f: getattr(parent, f) for f in ("email", "phone", "street", "house_number")}
    data |= {"postcode": parent.postcode, "city": parent.city}
    return details_submit(parent=parent, data=data | changes, request=None)


def export(phone="06-12345678"):
    return csv(row("1", "Sam", "Groep 3", p1=ANK)).replace("06-12345678", phone)


def test_the_parents_correction_survives_an_import_of_the_old_export(school):
    import_apply(school=school, pupils_csv=export())
    correct(Parent.objects.get(email="ank@example.nl"), phone="06-11110000")
    plan = import_plan(school=school, pupils_csv=export())
    assert plan.parents_changed == [] and plan.conflicts == []
    import_apply(school=school, pupils_csv=export())
    assert Parent.objects.get(email="ank@example.nl").phone == "06-11110000"


def test_an_export_that_changed_the_same_field_since_is_a_conflict(school):
    import_apply(school=school, pupils_csv=export())
    correct(Parent.objects.get(email="ank@example.nl"), phone="06-11110000")
    [conflict] = import_plan(school=school, pupils_csv=export("06-22220000")).conflicts
    assert (conflict.ocs, conflict.export) == ("06-11110000", "06-22220000")


def test_an_approved_correction_counts_from_its_approval(school):
    family_policy_update(school=school, approve_changes=True, request=None)
    import_apply(school=school, pupils_csv=export())
    change = correct(Parent.objects.get(email="ank@example.nl"), phone="06-11110000")
    # Still waiting: the import sees no difference with OCS.
    assert import_plan(school=school, pupils_csv=export()).parents_changed == []
    from schools.models import StaffMember

    bea = StaffMember.objects.create(
        school=school, email="bea2@linde.test", first_name="B", last_name="B", role="beheerder"
    )
    detail_change_decide(change=change, staff=bea, approve=True, request=None)
    import_apply(school=school, pupils_csv=export())
    assert Parent.objects.get(email="ank@example.nl").phone == "06-11110000"
