"""The manual's flow in a real browser: choose a group, tick individual, choose parents,
attach a PDF, type, send, and see the status turn to "verzonden"."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from lib.testing import screenshot
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
    page.get_by_label("Quinten Jansen").uncheck()
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
