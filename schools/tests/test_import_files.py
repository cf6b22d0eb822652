"""Awkward export files on disk, read by `manage.py import_school` as a beheerder would run it."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from schools.models import Parent, Pupil, School

FILES = Path(__file__).resolve().parent / "files"


@pytest.fixture
def school(db):
    return School.objects.create(name="De Linde", slug="de-linde", from_email="info@linde.test")


def run(*args) -> str:
    out = StringIO()
    call_command("import_school", "de-linde", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_a_damaged_cp1252_export_is_read_flagged_and_imported_without_losing_a_row(school):
    """cp1252 with letters the export could not write ("?"), a quoted ';', an invalid
    e-mail address, a repeated row, blank and empty lines, an extra column, headers in
    capitals, postcodes like 8021ca and a group with stray spaces."""
    path = str(FILES / "cp1252-beschadigd.csv")
    report = run(path, "--dry-run")
    assert "cp1252-beschadigd.csv: gelezen als Windows-1252 (West-Europees)" in report
    for damaged in (
        "Regel 2: 'Y?lmaz' (achternaam van de leerling)",
        "Regel 2: '?ahin' (achternaam van ouder 1)",
        "Regel 2: 'Ay?e' (voornaam van ouder 2)",
    ):
        assert f"Let op: {damaged} lijkt een beschadigde letter te bevatten." in report
    assert "CSV UTF-8" in report
    assert "Regel 2: het e-mailadres van ouder 2 ('ayse@example') is ongeldig" in report
    assert "Regel 6 is gelijk aan regel 3; de leerling wordt één keer geïmporteerd." in report
    assert Pupil.objects.count() == 0

    run(path)
    assert sorted(Pupil.objects.values_list("number", "first_name", "group__name")) == [
        ("3001", "Emir", "Groep 4"),
        ("3002", "Noëlle", "Groep 4"),
        ("3003", "François", "Groep 5"),
    ]
    ahmet = Parent.objects.get(email="ahmet.sahin@example.nl")
    assert (ahmet.street, ahmet.postcode) == ("Kerkstraat; achterom", "8021 CA")
    assert Parent.objects.get(first_name="Ay?e").email == ""
    assert Parent.objects.get(email="zoe@example.nl").last_name == "Wit"
    assert Parent.objects.get(email="renee@example.nl").last_name == "Müller"


def test_line_breaks_in_names_are_refused_per_row_and_nothing_is_written(school):
    out = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_school", "de-linde", str(FILES / "regelovergang.csv"), stdout=out, stderr=out
        )
    report = out.getvalue()
    assert "de kolom 'ouder1 voornaam' bevat een regelovergang" in report
    assert "de kolom 'achternaam' bevat een regelovergang" in report
    assert "Regel 2" not in report  # the clean row is not blamed
    assert Pupil.objects.count() == 0 and Parent.objects.count() == 0
