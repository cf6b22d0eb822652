"""The mass-change guard: an import that would replace much of the school needs the school's
name typed; another school's export and a renumbered export are caught."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from schools.importer import ImportNotConfirmed, import_apply, import_plan
from schools.models import Parent, Pupil, School
from schools.tests.test_import import counts, csv, row


def families(numbers, prefix="ouder"):
    return [
        row(
            str(n),
            f"Kind{n}",
            f"Groep {3 + n % 6}",
            p1=("moeder", f"Moeder{n}", "", "Smit", f"{prefix}{n}@example.nl"),
        )
        for n in numbers
    ]


@pytest.fixture
def school(db):
    school = School.objects.create(name="De Linde", slug="de-linde", from_email="i@linde.test")
    import_apply(school=school, pupils_csv=csv(*families(range(100, 130))))
    return school


def test_a_few_leavers_and_newcomers_need_no_confirmation(school):
    plan = import_plan(school=school, pupils_csv=csv(*families(range(104, 136))))
    assert plan.mass_change is None  # 4 of 30 leave (13%)
    import_apply(school=school, pupils_csv=csv(*families(range(104, 136))))


def test_another_schools_export_is_stopped_until_the_name_is_typed(school):
    other = csv(*families(range(900, 925), prefix="eik"))
    plan = import_plan(school=school, pupils_csv=other)
    change = plan.mass_change
    assert (change.active, change.leaving, change.in_file, change.known) == (30, 30, 25, 0)
    before = counts()
    for typed in ("", "De Eik", "Linde"):
        with pytest.raises(ImportNotConfirmed) as caught:
            import_apply(school=school, pupils_csv=other, confirm_name=typed)
        assert "30 van de 30 leerlingen (100%)" in caught.value.problems[0]
    assert counts() == before
    import_apply(school=school, pupils_csv=other, confirm_name="  de  linde ")
    assert Pupil.objects.filter(left_on__isnull=True).count() == 25


def test_a_renumbered_export_is_caught_and_when_confirmed_keeps_the_parents(school):
    renumbered = csv(
        *[
            r.replace(f"{n};Kind{n};", f"{n + 5000};Kind{n};", 1)
            for n, r in zip(range(100, 130), families(range(100, 130)), strict=True)
        ]
    )
    plan = import_plan(school=school, pupils_csv=renumbered)
    assert plan.mass_change.known == 0 and plan.mass_change.leaving == 30
    assert plan.parents_added == []  # the same people, recognised by e-mail
    import_apply(school=school, pupils_csv=renumbered, confirm_name="De Linde")
    assert Parent.objects.count() == 30
    assert Parent.objects.get(email="ouder100@example.nl").pupils.get(left_on=None).number == "5100"


def test_more_than_a_fifth_leaving_is_caught_even_when_all_numbers_are_known(school):
    plan = import_plan(school=school, pupils_csv=csv(*families(range(100, 123))))
    assert plan.mass_change.leaving == 7 and plan.mass_change.known == 23


def test_the_command_needs_the_school_name_too(school, tmp_path):
    path = tmp_path / "eik.csv"
    path.write_text(csv(*families(range(900, 925), prefix="eik")), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_school", "de-linde", str(path))
    assert Pupil.objects.filter(number="900").count() == 0
    call_command("import_school", "de-linde", str(path), confirm_school="De Linde")
    assert Pupil.objects.filter(number="900").count() == 1


@pytest.fixture
def big_world(world):
    import_apply(school=world.school, pupils_csv=csv(*families(range(100, 130))))
    return world


def upload(client, text):
    file = SimpleUploadedFile("leerlingen.csv", text.encode("utf-8"))
    response = client.post(reverse("schools:import_upload"), {"pupils_file": file})
    assert response.status_code == 302, response.text
    return response["Location"]


def test_the_preview_opens_with_the_warning_and_refuses_a_wrong_name(client, big_world, login):
    login(big_world.bea)
    url = upload(client, csv(*families(range(900, 925), prefix="eik")))
    preview = client.get(url).text
    assert preview.index("Controleer eerst het bestand") < preview.index("Nieuwe leerlingen")
    assert "de export van een andere school" in preview
    response = client.post(url, {"schoolnaam": "De Eik"})
    assert "Typ de naam van de school precies zoals hierboven staat" in response.text
    assert not Pupil.objects.filter(number="900").exists()
    response = client.post(url, {"schoolnaam": "De Linde"})
    assert response.status_code == 302
    assert Pupil.objects.filter(number="900").exists()


def test_the_beheerder_chooses_conflicts_and_restores_in_the_preview(client, big_world, login):
    from parents.services import parent_delete

    login(big_world.bea)
    moeder = Parent.objects.get(email="ouder101@example.nl")
    moeder.phone = "06-00000001"
    moeder.save()
    parent_delete(parent=Parent.objects.get(email="ouder102@example.nl"), request=None)
    changed = csv(*families(range(100, 130))).replace("06-12345678", "06-77777777")
    url = upload(client, changed)
    preview = client.get(url)
    [conflict] = [c for c in preview.context["plan"].conflicts if c.who == "Moeder101 Smit"]
    [deleted] = preview.context["plan"].deleted_parents
    assert "Moeder102 Smit (ouder102@example.nl) terugzetten" in preview.text
    client.post(url, {f"keuze-{conflict.key}": "export", "terugzetten": deleted.key})
    assert Parent.objects.get(pk=moeder.pk).phone == "06-77777777"
    assert Parent.objects.get(email="ouder102@example.nl").pupils.get().number == "102"


def test_a_preview_made_stale_by_another_import_is_not_applied(client, big_world, login):
    import re

    login(big_world.bea)
    url = upload(client, csv(*families(range(100, 131))))  # one newcomer: 130
    preview = client.get(url).text
    [state] = re.findall(r'name="state" value="([^"]*)"', preview)
    # Meanwhile another beheerder applies another export.
    import_apply(
        school=big_world.school,
        pupils_csv=csv(*families(range(100, 130)), row("777", "Zeven", "Groep 3")),
    )
    response = client.post(url, {"state": state}, follow=True)
    assert "Intussen is een andere import van deze school verwerkt" in response.text
    assert not Pupil.objects.filter(number="130").exists()
    # The page now shows the fresh preview (pupil 777 would leave) and a fresh state.
    [fresh] = re.findall(r'name="state" value="([^"]*)"', response.text)
    assert fresh != state
    response = client.post(url, {"state": fresh})
    assert response.status_code == 302
    assert Pupil.objects.filter(number="130").exists()
    # The same confirmation again (a double click): told it is done, nothing more happens.
    count = Pupil.objects.count()
    response = client.post(url, {"state": fresh}, follow=True)
    assert "Deze import is al verwerkt." in response.text
    assert Pupil.objects.count() == count
