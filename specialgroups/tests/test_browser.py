"""Speciale groepen in a real browser: a teacher creates both kinds, a parent signs up on a
phone, and the teacher sees the member and downloads the PDF."""

import datetime
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from conftest import PASSWORD
from lib.testing import screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


def log_in(page, base, email, *, staff):
    if staff:
        page.goto(f"{base}/s/de-linde/")
        page.get_by_role("region", name="Team").get_by_role("link", name="Login").click()
    else:
        page.goto(f"{base}/s/de-linde/")
        page.get_by_role("link", name="Inloggen voor ouders").click()
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def test_a_teacher_creates_both_kinds_and_a_parent_signs_up_on_a_phone(live_server, browser, world):
    base = live_server.url
    teacher = browser.new_context(viewport={"width": 1280, "height": 900})
    page = teacher.new_page()
    log_in(page, base, "anna@linde.test", staff=True)
    page.get_by_role("navigation").get_by_role("link", name="Speciale groepen").click()
    expect(page.get_by_role("heading", name="Speciale groepen")).to_be_visible()

    page.get_by_role("link", name="+ Nieuwe speciale groep", exact=True).click()
    page.get_by_label("Naam").fill("Voorleesouders")
    page.get_by_label("Hoofdgroep").select_option(label="geen")
    screenshot(page, "specialgroups-create-plain")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("De speciale groep is opgeslagen.")).to_be_visible()

    page.get_by_role("link", name="← Speciale groepen").click()
    page.get_by_role("link", name="+ Nieuwe speciale groep inclusief activiteit").click()
    page.get_by_label("Naam").fill("Schoolreis begeleiden")
    page.get_by_label("Omschrijving van de activiteit").fill("Mee naar de Efteling op 12 juni.")
    deadline = timezone.localdate() + datetime.timedelta(days=5)
    page.get_by_label("Einddatum van de inschrijving").fill(deadline.isoformat())
    page.get_by_label("Maximaal aantal ouders").fill("2")
    page.get_by_label("Groep 3").check()
    screenshot(page, "specialgroups-create-activity")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("De speciale groep is opgeslagen.")).to_be_visible()
    page.get_by_role("link", name="← Speciale groepen").click()
    expect(page.get_by_role("link", name="Schoolreis begeleiden", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Voorleesouders", exact=True)).to_be_visible()
    screenshot(page, "specialgroups-list")

    parent = browser.new_context(viewport=PHONE, is_mobile=True)
    phone = parent.new_page()
    log_in(phone, base, "petra@example.nl", staff=False)
    expect(phone.get_by_text("nieuwe speciale groepen")).to_be_visible()
    screenshot(phone, "specialgroups-portal-notice-phone")
    phone.get_by_role("link", name="Bekijk de speciale groepen").click()
    card = phone.get_by_role("region", name="Schoolreis begeleiden")
    expect(card.get_by_text("Nog 2 plaatsen vrij.")).to_be_visible()
    expect(card.get_by_text("Inschrijven kan tot en met")).to_be_visible()
    card.get_by_role("button", name="Inschrijven").click()
    expect(phone.get_by_text("U bent ingeschreven voor Schoolreis begeleiden.")).to_be_visible()
    card = phone.get_by_role("region", name="Schoolreis begeleiden")
    expect(card.get_by_text("Nog 1 plaats vrij.")).to_be_visible()
    expect(card.get_by_role("button", name="Uitschrijven")).to_be_visible()
    screenshot(phone, "specialgroups-portal-signed-up-phone")
    parent.close()

    page.get_by_role("link", name="Schoolreis begeleiden", exact=True).click()
    expect(page.get_by_role("cell", name="Petra Jansen", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="Sam Jansen (Groep 3)")).to_be_visible()
    screenshot(page, "specialgroups-detail")
    with page.expect_download() as info:
        page.get_by_role("link", name="Maak een pdf").click()
    pdf = info.value.path().read_bytes()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Petra Jansen" in text and "Sam Jansen (Groep 3)" in text
    teacher.close()
