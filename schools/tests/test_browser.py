"""The beheerder's import in a real browser: upload, preview, confirm."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from lib.testing import screenshot
from schools.models import Pupil

pytestmark = pytest.mark.django_db(transaction=True)

EXPORT = (
    "Leerlingnummer;Roepnaam;Tussenvoegsel;Achternaam;Groep;Ouder1 Relatie;Ouder1 Voornaam;"
    "Ouder1 Tussenvoegsel;Ouder1 Achternaam;Ouder1 E-mail\r\n"
    "5001;Noëlle;van;Dijk;Groep 5;moeder;Şule;;Yılmaz;sule@example.nl\r\n"
    "5002;Bram;;Vos;Groep 5;vader;Piet;;Vos;piet@example.nl\r\n"
)


def test_the_beheerder_uploads_previews_and_confirms_an_import(live_server, page, world, tmp_path):
    bad = tmp_path / "fout.csv"
    bad.write_text(EXPORT.replace("Groep 5;moeder", ";moeder"), encoding="utf-8")
    good = tmp_path / "leerlingen.csv"
    good.write_bytes(EXPORT.encode("utf-8-sig"))

    page.goto(f"{live_server.url}/team/login/")
    page.get_by_label("E-mailadres").fill("bea@linde.test")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("link", name="Import").click()

    page.get_by_label("Leerlingen met ouders/verzorgers (CSV)").set_input_files(str(bad))
    page.get_by_role("button", name="Bekijk de wijzigingen").click()
    expect(page.get_by_text("De import is niet uitgevoerd")).to_be_visible()
    expect(page.get_by_text("Regel 2: de groep van de leerling ontbreekt.")).to_be_visible()
    screenshot(page, "import-problems")

    page.get_by_label("Leerlingen met ouders/verzorgers (CSV)").set_input_files(str(good))
    page.get_by_role("button", name="Bekijk de wijzigingen").click()
    expect(page.get_by_text("Noëlle van Dijk (5001), Groep 5")).to_be_visible()
    screenshot(page, "import-preview")
    assert not Pupil.objects.filter(number="5001").exists()
    page.get_by_role("button", name="Import uitvoeren").click()
    expect(page.get_by_text("De import is verwerkt.")).to_be_visible()
    assert Pupil.objects.get(number="5001").parents.get().last_name == "Yılmaz"

    page.get_by_role("link", name="Beveiliging").click()
    expect(page.get_by_role("heading", name="Tweestapsverificatie", exact=True)).to_be_visible()
    screenshot(page, "security-page")


def _login_as_beheerder(page, live_server):
    page.goto(f"{live_server.url}/team/login/")
    page.get_by_label("E-mailadres").fill("bea@linde.test")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def test_another_schools_export_opens_with_a_warning_and_needs_the_typed_name(
    live_server, page, world, tmp_path
):
    from schools.importer import import_apply
    from schools.tests.test_import import csv
    from schools.tests.test_import_guard import families

    import_apply(school=world.school, pupils_csv=csv(*families(range(100, 130))))
    other = tmp_path / "leerlingen-eik.csv"
    other.write_text(csv(*families(range(900, 925), prefix="eik")), encoding="utf-8")

    _login_as_beheerder(page, live_server)
    page.get_by_role("link", name="Import").click()
    page.get_by_label("Leerlingen met ouders/verzorgers (CSV)").set_input_files(str(other))
    page.get_by_role("button", name="Bekijk de wijzigingen").click()
    warning = page.get_by_role("alert").filter(has_text="Controleer eerst het bestand")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("30 van de 30 leerlingen (100%)")
    expect(warning).to_contain_text("de export van een andere school")
    screenshot(page, "import-mass-change-warning")

    page.get_by_label("Naam van de school").fill("De Eik")
    page.get_by_role("button", name="Import uitvoeren").click()
    expect(page.get_by_text("Typ de naam van de school precies zoals hierboven")).to_be_visible()
    assert not Pupil.objects.filter(number="900").exists()

    page.get_by_label("Naam van de school").fill("de linde")
    page.get_by_role("button", name="Import uitvoeren").click()
    expect(page.get_by_text("De import is verwerkt.")).to_be_visible()
    assert Pupil.objects.filter(number="900", left_on=None).exists()
    assert Pupil.objects.get(number="100").left_on is not None


def test_the_beheerder_undoes_the_last_import_and_sees_what_stays(live_server, page, world):
    from schools.importer import import_apply
    from schools.models import Parent
    from schools.tests.test_import import csv, row

    import_apply(
        school=world.school,
        pupils_csv=csv(row("77", "Nina", "Groep 7"), row("78", "Joep", "Groep 7")),
    )
    Parent.objects.filter(email="ank@example.nl").update(is_blocked=True)

    _login_as_beheerder(page, live_server)
    page.get_by_role("link", name="Import").click()
    page.get_by_role("link", name="Import ongedaan maken").click()
    expect(page.get_by_text("Nina Smit (77) verwijderd (nieuw door de import)")).to_be_visible()
    expect(
        page.get_by_text("Ank Smit blijft: na de import gewijzigd (geblokkeerd)")
    ).to_be_visible()
    screenshot(page, "import-undo-preview")
    assert Pupil.objects.filter(number="77").exists()
    page.get_by_role("button", name="Import ongedaan maken").click()
    expect(page.get_by_text("De import is ongedaan gemaakt.")).to_be_visible()
    assert not Pupil.objects.filter(number__in=["77", "78"]).exists()
    assert Parent.objects.get(email="ank@example.nl").is_blocked
    page.get_by_role("link", name="Terug naar de import").click()
    expect(page.get_by_role("link", name="Import ongedaan maken")).to_have_count(0)
