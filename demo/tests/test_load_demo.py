from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from demo.management.commands.load_demo import DEMO_LOGINS, DEMO_PASSWORD
from schools.models import Guardianship, Parent, Pupil, StaffMember


def test_the_demo_loads_twice_without_duplicates_and_its_logins_work(db, client):
    out = StringIO()
    call_command("load_demo", stdout=out)
    first = (
        Pupil.objects.count(),
        Parent.objects.count(),
        Guardianship.objects.count(),
        StaffMember.objects.count(),
    )
    call_command("load_demo", stdout=StringIO())
    again = (
        Pupil.objects.count(),
        Parent.objects.count(),
        Guardianship.objects.count(),
        StaffMember.objects.count(),
    )
    # De Regenboog (225 pupils, 268 parents, 415 links, 11 staff) and De Zon (3, 4, 4, 2).
    assert first == again == (228, 272, 419, 13)
    for _label, email in DEMO_LOGINS:
        assert email in out.getvalue()
    for _label, email in DEMO_LOGINS:
        side = "accounts:parent_login" if "school1" not in email else "accounts:staff_login"
        response = client.post(reverse(side), {"username": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        client.post(reverse("accounts:logout"))
    piotr = Parent.objects.get(email="piotr.elamrani@icloud.com", school__slug="de-regenboog")
    groups = {p.group.name for p in piotr.pupils.all()}
    assert groups == {"Groep 1/2A", "Groep 6"}
    # One login, parent at both schools.
    at_zon = Parent.objects.get(email="piotr.elamrani@icloud.com", school__slug="de-zon")
    assert at_zon.user == piotr.user is not None
