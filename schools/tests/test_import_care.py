"""The import reads awkward real-world exports with care: encodings, damaged names, problems
that lose nothing (warnings) and those that would (blocking), control characters."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lib.csvread import detect
from schools.importer import ImportProblems, import_apply, import_plan, looks_damaged
from schools.models import Parent, Pupil, School
from schools.tests.test_import import HEADER, counts, csv, row


@pytest.fixture
def school(db):
    return School.objects.create(name="De Linde", slug="de-linde", from_email="info@linde.test")


def test_a_cp1252_export_is_detected_and_read_with_its_letters():
    text = csv(
        row("1", "Noëlle", "Groep 3", p1=("moeder", "Renée", "", "Müller", "renee@example.nl")),
        row("2", "Zoë", "Groep 4", p1=("vader", "François", "", "Çelik", "")),
    )
    decoded = detect(text.encode("cp1252"))
    assert decoded.encoding == "cp1252"
    assert decoded.text == text


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_unicode_exports_keep_turkish_and_polish_letters(encoding):
    text = csv(row("1", "Şule", "Groep 3", p1=("moeder", "Łucja", "", "Yılmaz", "")))
    assert detect(text.encode(encoding)).text == text


@pytest.mark.parametrize(
    "value",
    ["Y?lmaz", "?ahin", "Wójci?", "Y\ufffdlmaz", "NoÃ«lle", "Ã‡elik"],
)
def test_names_that_lost_a_letter_are_recognised(value):
    assert looks_damaged(value)


@pytest.mark.parametrize("value", ["Yılmaz", "Noëlle", "O'Neill", "Jan-Willem", "?", "1?"])
def test_whole_names_are_not_flagged(value):
    assert not looks_damaged(value)


def damaged_cp1252_export() -> bytes:
    """What an administration system writes when it saves as Windows-1252 a name it cannot
    encode: a "?" in place of the letter. The rest of the file is real cp1252."""
    text = csv(
        row("1", "Noëlle", "Groep 3", p1=("moeder", "Şule", "", "Yılmaz", "sule@example.nl")),
        row("2", "Emir", "Groep 3", p1=("vader", "Ahmet", "", "Şahin", "")),
        row("3", "Zoë", "Groep 4"),
    )
    return text.encode("cp1252", errors="replace")


def test_a_cp1252_file_with_damaged_names_is_flagged_with_row_numbers_and_advice(school):
    decoded = detect(damaged_cp1252_export())
    assert decoded.encoding == "cp1252"
    plan = import_plan(school=school, pupils_csv=decoded.text)
    assert plan.damaged == [
        "Regel 2: '?ule' (voornaam van ouder 1) lijkt een beschadigde letter te bevatten.",
        "Regel 2: 'Y?lmaz' (achternaam van ouder 1) lijkt een beschadigde letter te bevatten.",
        "Regel 3: '?ahin' (achternaam van ouder 1) lijkt een beschadigde letter te bevatten.",
    ]


def test_the_preview_shows_damaged_names_and_advises_utf8(client, world, login):
    login(world.bea)
    upload = SimpleUploadedFile("leerlingen.csv", damaged_cp1252_export())
    response = client.post(reverse("schools:import_upload"), {"pupils_file": upload})
    preview = client.get(response["Location"])
    assert "Namen met beschadigde letters" in preview.text
    assert "Regel 3: &#x27;?ahin&#x27; (achternaam van ouder 1)" in preview.text
    assert "CSV UTF-8" in preview.text
    assert "gelezen als Windows-1252 (West-Europees)" in preview.text


def test_an_invalid_email_imports_the_guardian_without_address_with_a_warning(school):
    text = csv(
        row("1", "Sam", "Groep 3", p1=("moeder", "Ank", "", "Smit", "ank@@example")),
        row("2", "Tim", "Groep 3", p1=("vader", "Bas", "", "Vos", "bas@example.nl")),
    )
    plan = import_plan(school=school, pupils_csv=text)
    assert plan.warnings == [
        "Regel 2: het e-mailadres van ouder 1 ('ank@@example') is ongeldig; ouder 1 wordt "
        "zonder e-mailadres geïmporteerd."
    ]
    import_apply(school=school, pupils_csv=text)
    ank = Parent.objects.get(first_name="Ank")
    assert ank.email == "" and ank.pupils.get().first_name == "Sam"
    assert Parent.objects.get(first_name="Bas").email == "bas@example.nl"


def test_an_identical_repeated_row_is_imported_once_with_a_warning(school):
    sam = row("1", "Sam", "Groep 3", p2=("vader", "Bas", "", "Smit", "bas@example.nl"))
    text = csv(sam, row("2", "Tim", "Groep 3"), sam)
    plan = import_plan(school=school, pupils_csv=text)
    assert plan.warnings == [
        "Regel 4 is gelijk aan regel 2; de leerling wordt één keer geïmporteerd."
    ]
    import_apply(school=school, pupils_csv=text)
    assert Pupil.objects.count() == 2
    assert Pupil.objects.get(number="1").parents.count() == 2


def test_one_guardian_listed_twice_for_a_child_is_one_parent_with_a_warning(school):
    ank = ("moeder", "Ank", "", "Smit", "ank@example.nl")
    plan = import_plan(school=school, pupils_csv=csv(row("1", "Sam", "Groep 3", p1=ank, p2=ank)))
    assert plan.warnings == [
        "Regel 2: ouder 1 en ouder 2 zijn dezelfde persoon; zij worden één ouder."
    ]


def test_what_would_lose_or_mix_up_data_still_blocks_everything(school):
    import_apply(school=school, pupils_csv=csv(row("1", "Sam", "Groep 3")))
    before = counts()
    bad = csv(
        row("1", "Sam", "Groep 3"),
        row("1", "Sem", "Groep 3"),  # two different pupils with one number
        row("2", "Tim", ""),  # a pupil without a group
        row("3", "Mia", "Groep 3", p1=("moeder", "", "", "Smit", "mia@example.nl")),
    )
    with pytest.raises(ImportProblems) as caught:
        import_apply(school=school, pupils_csv=bad)
    assert caught.value.problems == [
        "Regel 3: leerlingnummer 1 staat ook al op regel 2, met andere gegevens.",
        "Regel 4: de groep van de leerling ontbreekt.",
        "Regel 5: de voornaam van ouder 1 ontbreekt.",
    ]
    assert counts() == before


@pytest.mark.parametrize(
    "bad",
    [
        "Smit\r\nBcc: x@evil.test",
        "Smit\nX",
        "Smit\rX",
        "Smit\u2028X",
        "Smit\x85X",
        "Smit\x00",
        "Sm\x1bit",
    ],
)
def test_names_and_addresses_with_line_breaks_or_control_characters_are_refused_per_row(
    school, bad
):
    quoted = '"' + bad + '"'
    text = "\r\n".join(
        [
            HEADER,
            row("1", "Sam", "Groep 3"),
            row("2", "Tim", "Groep 3", p1=("moeder", "Ank", "", quoted, "ank@example.nl")),
            row("3", "Mia", "Groep 3", p2=("vader", "Bas", "", "Smit", "bas@example.nl")),
        ]
    )
    with pytest.raises(ImportProblems) as caught:
        import_apply(school=school, pupils_csv=text)
    assert len(caught.value.problems) == 1
    problem = caught.value.problems[0]
    assert "de kolom 'ouder1 achternaam' bevat een regelovergang" in problem
    assert problem.startswith("Regel ")
    assert Pupil.objects.count() == 0


def test_a_staff_name_with_a_line_break_is_refused(school):
    staff = (
        "Voornaam;Tussenvoegsel;Achternaam;E-mail;Rol;Groepen;Mag ouders wijzigen\n"
        'Jan;;"Vos\nBcc: a@b.c";jan@linde.test;leerkracht;Groep 3;nee\n'
    )
    with pytest.raises(ImportProblems) as caught:
        import_plan(school=school, pupils_csv=csv(row("1", "Sam", "Groep 3")), staff_csv=staff)
    assert caught.value.problems == [
        "Personeel, regel 3: de kolom 'achternaam' bevat een regelovergang of een ander "
        "onzichtbaar stuurteken. Dat kan niet in een naam, adres of e-mailadres; verwijder het "
        "in de leerlingadministratie."
    ]


def test_changed_parents_are_described_with_the_schools_words(school):
    import_apply(school=school, pupils_csv=csv(row("1", "Sam", "Groep 3")))
    later = csv(row("1", "Sam", "Groep 3")).replace("06-12345678", "06-87654321")
    later = later.replace("Dorpsstraat;1;8011 AA", "Kerkstraat;12a;8012 BB")
    plan = import_plan(school=school, pupils_csv=later)
    assert plan.parents_changed == [
        "Ank Smit: telefoon 06-12345678 → 06-87654321, straat Dorpsstraat → Kerkstraat, "
        "huisnummer 1 → 12a, postcode 8011 AA → 8012 BB"
    ]
