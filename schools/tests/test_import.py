from pathlib import Path

import pytest
from django.urls import reverse

from lib.csvread import decode
from schools.importer import ImportProblems, import_apply, import_plan
from schools.models import Group, Guardianship, Parent, Pupil, School, StaffMember

# The demo school's export (demo/data/) doubles as a realistic import.
DEMO = Path(__file__).resolve().parents[2] / "demo" / "data"
HEADER = (
    "Leerlingnummer;Roepnaam;Tussenvoegsel;Achternaam;Groep;"
    "Ouder1 Relatie;Ouder1 Voornaam;Ouder1 Tussenvoegsel;Ouder1 Achternaam;Ouder1 E-mail;"
    "Ouder1 Telefoon;Ouder1 Straat;Ouder1 Huisnummer;Ouder1 Postcode;Ouder1 Plaats;"
    "Ouder2 Relatie;Ouder2 Voornaam;Ouder2 Tussenvoegsel;Ouder2 Achternaam;Ouder2 E-mail;"
    "Ouder2 Telefoon;Ouder2 Straat;Ouder2 Huisnummer;Ouder2 Postcode;Ouder2 Plaats"
)


def row(
    number, first, group, p1=("moeder", "Ank", "", "Smit", "ank@example.nl"), p2=None, last="Smit"
):
    def guardian(p):
        if p is None:
            return [""] * 10
        relation, voornaam, tv, achternaam, email = p
        return [
            relation,
            voornaam,
            tv,
            achternaam,
            email,
            "06-12345678",
            "Dorpsstraat",
            "1",
            "8011 AA",
            "Zwolle",
        ]

    return ";".join([number, first, "", last, group, *guardian(p1), *guardian(p2)])


def csv(*rows):
    return "\r\n".join([HEADER, *rows]) + "\r\n"


@pytest.fixture
def school(db):
    return School.objects.create(name="De Linde", slug="de-linde", from_email="info@linde.test")


def counts():
    return (
        Group.objects.count(),
        Pupil.objects.count(),
        Parent.objects.count(),
        Guardianship.objects.count(),
        StaffMember.objects.count(),
    )


def demo_files():
    return (
        decode((DEMO / "leerlingen.csv").read_bytes()),
        decode((DEMO / "personeel.csv").read_bytes()),
    )


def test_the_demo_export_imports_every_pupil_guardian_and_staff_member(school):
    pupils, staff = demo_files()
    import_apply(school=school, pupils_csv=pupils, staff_csv=staff)
    assert Pupil.objects.count() == 225
    assert Group.objects.count() == 8
    assert StaffMember.objects.count() == 11
    # A guardian with several children is one parent.
    iris = Parent.objects.get(email="iris.jansen@live.nl")
    assert sorted(p.first_name for p in iris.pupils.all()) == ["Daniël", "Kian", "Mats"]
    marit = StaffMember.objects.get(email="marit.dekker@school1.example.nl")
    assert sorted(g.name for g in marit.groups.all()) == ["Groep 1/2A", "Groep 1/2B"]
    assert StaffMember.objects.get(email="directie@school1.example.nl").role == "directie"


def test_reimporting_the_same_export_changes_nothing(school):
    pupils, staff = demo_files()
    import_apply(school=school, pupils_csv=pupils, staff_csv=staff)
    before = counts()
    plan = import_plan(school=school, pupils_csv=pupils, staff_csv=staff)
    assert not plan.has_changes
    import_apply(school=school, pupils_csv=pupils, staff_csv=staff)
    assert counts() == before


def test_excel_variants_of_the_export_import_the_same(school):
    """cp1252, BOM, commas, reordered and extra columns, blank lines, stray spaces."""
    text = csv(row("1", "Noëlle", "Groep 3"), row("2", "Zoë", "Groep 4"))
    import_apply(school=school, pupils_csv=text)
    reference = counts()
    lines = text.strip().split("\r\n")
    header = lines[0].split(";")
    order = list(reversed(range(len(header))))
    reordered = "\n".join(
        ",".join(['"' + c + '"' for c in [line.split(";")[i] for i in order]] + ["extra"])
        for line in lines
    )
    variants = [
        text.encode("cp1252"),
        b"\xef\xbb\xbf" + text.encode("utf-8"),
        reordered.encode("utf-8"),
        ("\r\n\r\n" + text.replace(";Noëlle;", ";  Noëlle  ;") + "\r\n;;;\r\n").encode("cp1252"),
    ]
    for data in variants:
        plan = import_plan(school=school, pupils_csv=decode(data))
        assert not plan.has_changes, data[:80]
    assert counts() == reference
    assert Pupil.objects.get(number="1").first_name == "Noëlle"


def test_a_later_export_updates_groups_names_and_links(school):
    import_apply(
        school=school,
        pupils_csv=csv(
            row("1", "Sam", "Groep 3"),
            row("2", "Lotte", "Groep 4", p2=("vader", "Bas", "", "Smit", "bas@example.nl")),
        ),
    )
    later = csv(
        row("1", "Sam", "Groep 4"),  # moved up a group
        row("3", "Mia", "Groep 1/2", p1=("moeder", "Ank", "", "Smit", "ANK@example.nl")),
    )
    plan = import_plan(school=school, pupils_csv=later)
    assert plan.pupils_added == ["Mia Smit (3), Groep 1/2"]
    assert plan.pupils_changed == ["Sam Smit (1): groep Groep 3 → Groep 4"]
    assert plan.pupils_removed == ["Lotte Smit (2)"]
    import_apply(school=school, pupils_csv=later)
    ank = Parent.objects.get(email="ank@example.nl")
    assert sorted(p.first_name for p in ank.pupils.filter(group__isnull=False)) == ["Mia", "Sam"]
    lotte = Pupil.objects.get(number="2")
    assert lotte.group is None and lotte.left_on is not None
    assert Pupil.objects.get(number="1").group.name == "Groep 4"


def test_guardians_without_email_are_matched_by_name_and_address(school):
    no_email = ("verzorger", "Kees", "de", "Boer", "")
    import_apply(
        school=school,
        pupils_csv=csv(
            row("1", "Sam", "Groep 3", p1=no_email), row("2", "Tim", "Groep 5", p1=no_email)
        ),
    )
    assert Parent.objects.filter(first_name="Kees").count() == 1
    import_apply(
        school=school,
        pupils_csv=csv(
            row("1", "Sam", "Groep 3", p1=no_email), row("2", "Tim", "Groep 5", p1=no_email)
        ),
    )
    assert Parent.objects.filter(first_name="Kees").count() == 1


def test_invalid_rows_are_listed_with_line_numbers_and_nothing_is_written(school):
    import_apply(school=school, pupils_csv=csv(row("1", "Sam", "Groep 3")))
    before = counts()
    bad = csv(
        row("1", "Sam", "Groep 4"),
        row("2", "", "Groep 4"),
        row("3", "Tim", "", p1=("moeder", "Ank", "", "Smit", "geen-adres")),
        row("1", "Dubbel", "Groep 4"),
    )
    with pytest.raises(ImportProblems) as caught:
        import_apply(school=school, pupils_csv=bad)
    assert caught.value.problems == [
        "Regel 3: de roepnaam van de leerling ontbreekt.",
        "Regel 4: de groep van de leerling ontbreekt.",
        "Regel 5: leerlingnummer 1 staat ook al op regel 2, met andere gegevens.",
    ]
    assert counts() == before
    assert Pupil.objects.get(number="1").group.name == "Groep 3"


def test_a_failure_halfway_through_writing_rolls_everything_back(school, monkeypatch):
    import schools.importer as importer

    real = importer._apply_parent
    calls = {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 50:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "_apply_parent", failing)
    pupils, staff = demo_files()
    with pytest.raises(RuntimeError):
        import_apply(school=school, pupils_csv=pupils, staff_csv=staff)
    assert counts() == (0, 0, 0, 0, 0)


def test_a_file_with_the_wrong_columns_is_refused_in_dutch(school):
    with pytest.raises(ImportProblems) as caught:
        import_plan(school=school, pupils_csv="Naam;Klas\nSam;3\n")
    assert (
        "mist de kolom(men) 'leerlingnummer', 'roepnaam', 'achternaam', 'groep'"
        in (caught.value.problems[0])
    )


def test_staff_rows_with_an_unknown_role_are_refused(school):
    staff = (
        "Voornaam;Tussenvoegsel;Achternaam;E-mail;Rol;Groepen;Mag ouders wijzigen\n"
        "Jan;;Vos;jan@linde.test;conciërge;;nee\n"
    )
    with pytest.raises(ImportProblems) as caught:
        import_plan(school=school, pupils_csv=csv(row("1", "Sam", "Groep 3")), staff_csv=staff)
    assert caught.value.problems == [
        "Personeel, regel 2: onbekende rol 'conciërge' (kies leerkracht, directie of beheerder)."
    ]


def test_the_beheerder_previews_then_confirms_an_upload(client, world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(world.bea)
    upload = SimpleUploadedFile("leerlingen.csv", csv(row("9", "Nina", "Groep 7")).encode("cp1252"))
    response = client.post(reverse("schools:import_upload"), {"pupils_file": upload})
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert "Nina Smit (9), Groep 7" in preview.text
    assert not Pupil.objects.filter(number="9").exists()
    client.post(response["Location"])
    assert Pupil.objects.get(number="9").group.name == "Groep 7"
    # The preview cannot be applied twice: a second confirmation is told it is done.
    again = client.post(response["Location"], follow=True)
    assert "Deze import is al verwerkt." in again.text
    assert Pupil.objects.filter(number="9").count() == 1


def test_an_upload_with_problems_shows_them_and_writes_nothing(client, world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(world.bea)
    upload = SimpleUploadedFile("l.csv", csv(row("9", "", "Groep 7")).encode())
    response = client.post(reverse("schools:import_upload"), {"pupils_file": upload})
    assert "Regel 2: de roepnaam van de leerling ontbreekt." in response.text
    assert "Er is niets gewijzigd" in response.text
    assert not Pupil.objects.filter(number="9").exists()


def test_only_the_beheerder_reaches_the_import(client, world, login):
    for persona in (world.anna, world.dirk, world.petra):
        login(persona)
        assert client.get(reverse("schools:import_upload")).status_code == 403


def test_an_import_batch_of_another_school_is_not_found(client, world, login):
    from schools.models import ImportBatch

    batch = ImportBatch.objects.create(school=world.other_school, pupils_csv=csv())
    login(world.bea)
    assert client.get(reverse("schools:import_preview", args=[batch.pk])).status_code == 404
