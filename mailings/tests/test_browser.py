"""The manual's flow in a real browser: choose a group, tick individual, choose parents,
attach a PDF, type, send, and see the status turn to "verzonden"."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from lib.testing import assert_accessible, screenshot
from mailings.tests.helpers import PDF

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_teacher_mails_chosen_parents_of_her_group_with_a_pdf(
    live_server, page, world, smtp, tmp_path
):
    attachment = tmp_path / "Schoolreis Zoë.pdf"
    attachment.write_bytes(PDF)
    page.goto(f"{live_server.url}/s/de-linde/")
    page.get_by_role("region", name="Team").get_by_role("link", name="Login").click()
    page.get_by_label("E-mailadres").fill("anna@linde.test")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()

    page.get_by_role("navigation").get_by_role("link", name="Oudermailing").click()
    page.get_by_label("Groep 3").check()
    page.get_by_label("Individuele ouder een mail sturen").check()
    screenshot(page, "mailings-choose-group")
    page.get_by_role("button", name="Bericht maken").click()

    page.get_by_label("Bijlagen").set_input_files(str(attachment))
    # Nobody is ticked at first; "Alles" and "Niets" work per group; the search narrows.
    expect(page.get_by_label("Petra Jansen")).not_to_be_checked()
    expect(page.get_by_label("Quinten Jansen")).not_to_be_checked()
    page.get_by_role("button", name="Alles in Groep 3").click()
    expect(page.get_by_label("Quinten Jansen")).to_be_checked()
    expect(page.get_by_text("2 ouders gekozen")).to_be_visible()
    page.get_by_role("button", name="Niets in Groep 3").click()
    expect(page.get_by_label("Petra Jansen")).not_to_be_checked()
    page.get_by_label("Zoek een ouder of kind").fill("petra")
    expect(page.get_by_label("Quinten Jansen")).to_be_hidden()
    page.get_by_label("Petra Jansen").check()
    expect(page.get_by_text("1 ouder gekozen")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Onderwerp").fill("Schoolreis naar de Efteling")
    page.get_by_label("Bericht").fill("Beste ouders,\n\nVrijdag gaan we op schoolreis.\n\nAnna")
    screenshot(page, "mailings-compose")
    page.get_by_role("button", name="Verstuur bericht").click()

    expect(page.get_by_text("Uw bericht wordt verstuurd naar 1 ouder")).to_be_visible()
    expect(page.get_by_role("cell", name="verzonden")).to_have_count(2)
    screenshot(page, "mailings-status")
    page.get_by_role("navigation").get_by_role("link", name="Verzonden berichten").click()
    row = page.get_by_role("row", name="Schoolreis naar de Efteling")
    expect(row.get_by_text("verzonden", exact=True)).to_be_visible()
    screenshot(page, "mailings-sent")
    page.set_viewport_size({"width": 390, "height": 844})
    row.get_by_role("link", name="Schoolreis naar de Efteling").click()
    expect(page.get_by_text("2 van 2 verzonden")).to_be_visible()
    screenshot(page, "mailings-status-phone")

    assert smtp.handler.recipients() == ["anna@linde.test", "petra@example.nl"]
    _rcpts, message = smtp.handler.received[0]
    names = [part.get_filename() for part in message.iter_attachments()]
    assert names == ["Schoolreis Zoe.pdf"]


def test_refused_attachments_are_named_and_the_accepted_ones_stay(
    live_server, page, world, tmp_path
):
    good = tmp_path / "Rooster.pdf"
    good.write_bytes(PDF)
    program = tmp_path / "setup.exe"
    program.write_bytes(b"MZ\x90\x00")
    empty = tmp_path / "leeg.txt"
    empty.write_bytes(b"")
    page.goto(f"{live_server.url}/team/login/")
    page.get_by_label("E-mailadres").fill("anna@linde.test")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.goto(f"{live_server.url}/oudermailing/?group={world.g3.public_id}")
    picker = page.get_by_label("Bijlagen")
    picker.set_input_files([str(good), str(program), str(empty)])
    problems = page.locator("#mailing-attachments-check li")
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_contain_text("“setup.exe” wordt niet meegestuurd")
    expect(problems.nth(1)).to_contain_text("“leeg.txt” wordt niet meegestuurd: het bestand")
    assert picker.evaluate("e => Array.from(e.files).map(f => f.name)") == ["Rooster.pdf"]
    screenshot(page, "mailings-attachments-refused")
    page.get_by_label("Onderwerp").fill("Rooster")
    page.get_by_label("Bericht").fill("Zie bijlage.")
    page.get_by_role("button", name="Verstuur bericht").click()
    expect(page.get_by_text("Uw bericht wordt verstuurd naar 2 ouders")).to_be_visible()


def test_a_file_the_server_refuses_is_named_and_the_accepted_ones_stay_attached(
    live_server, page, world, tmp_path
):
    """The content check runs on the server: a "pdf" that is a program passes the picker's
    own check, comes back refused with its reason, and the good files stay with the form."""
    from mailings.models import Mailing

    good = tmp_path / "Rooster.pdf"
    good.write_bytes(PDF)
    photo = tmp_path / "Klassenfoto.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    fake = tmp_path / "Factuur.pdf"
    fake.write_bytes(b"MZ\x90\x00 a program")
    page.goto(f"{live_server.url}/team/login/")
    page.get_by_label("E-mailadres").fill("anna@linde.test")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.goto(f"{live_server.url}/oudermailing/?group={world.g3.public_id}")
    page.get_by_label("Bijlagen").set_input_files([str(good), str(photo), str(fake)])
    page.get_by_label("Onderwerp").fill("Rooster")
    page.get_by_label("Bericht").fill("Zie bijlagen.")
    page.get_by_role("button", name="Verstuur bericht").click()

    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("“Factuur.pdf” is geen geldig pdf-bestand")
    kept = page.get_by_role("group", name="Deze bijlagen gaan mee")
    expect(kept.get_by_role("checkbox", name="Rooster.pdf")).to_be_checked()
    expect(kept.get_by_role("checkbox", name="Klassenfoto.png")).to_be_checked()
    expect(kept.get_by_text("Factuur.pdf")).to_have_count(0)
    expect(page.get_by_label("Onderwerp")).to_have_value("Rooster")
    screenshot(page, "mailings-attachments-kept")
    page.get_by_role("button", name="Verstuur bericht").click()
    expect(page.get_by_text("Uw bericht wordt verstuurd naar 2 ouders")).to_be_visible()
    names = [a.filename for a in Mailing.objects.get().attachments.all()]
    assert names == ["Rooster.pdf", "Klassenfoto.png"]
