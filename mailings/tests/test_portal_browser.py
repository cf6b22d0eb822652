"""Berichten on a parent's phone, and the sender's status page with the reach per family and
a reminder, in a real browser."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from conftest import PASSWORD
from lib.testing import screenshot
from mailings.delivery import outbox_deliver
from mailings.services import mailing_send
from mailings.tests.helpers import PDF
from schools.models import Pupil

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


def log_in(page, base, email, *, staff):
    page.goto(f"{base}/s/de-linde/")
    if staff:
        page.get_by_role("region", name="Team").get_by_role("link", name="Login").click()
    else:
        page.get_by_role("link", name="Inloggen voor ouders").click()
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def test_a_parent_reads_on_a_phone_and_the_teacher_reminds_the_other_family(
    live_server, browser, world, make_parent, smtp
):
    noor = Pupil.objects.create(
        school=world.school, number="1003", first_name="Noor", last_name="Bakker", group=world.g3
    )
    make_parent(world.school, "rik@example.nl", pupils=[noor], first_name="Rik", last_name="Bakker")
    for subject in ("Gymles op dinsdag", "Schoolreis naar de Efteling"):
        mailing_send(
            staff=world.anna,
            groups=[world.g3],
            special_groups=[],
            parent_ids=None,
            subject=subject,
            body="Beste ouders,\n\nVrijdag 12 juni gaan we met de hele groep naar de Efteling. "
            "Neem een lunchpakket mee.\n\nGroeten, Anna",
            files=[SimpleUploadedFile("Brief schoolreis.pdf", PDF, "application/pdf")],
        )
    outbox_deliver()
    base = live_server.url

    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = phone.new_page()
    log_in(page, base, "petra@example.nl", staff=False)
    page.get_by_role("navigation").get_by_role("link", name="Berichten").click()
    expect(page.get_by_role("heading", name="Berichten")).to_be_visible()
    items = page.locator(".message-item")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("Schoolreis naar de Efteling")
    expect(items.first).to_contain_text("Sam")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "portal-berichten-phone")
    page.get_by_role("link", name="Schoolreis naar de Efteling").click()
    expect(page.get_by_role("heading", name="Schoolreis naar de Efteling")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Brief schoolreis.pdf").click()
    assert download.value.suggested_filename == "Brief schoolreis.pdf"
    screenshot(page, "portal-bericht-phone")
    page.get_by_role("link", name="← Berichten").click()
    expect(page.locator(".message-item.unread")).to_have_count(1)
    phone.close()

    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    log_in(page, base, "anna@linde.test", staff=True)
    page.get_by_role("navigation").get_by_role("link", name="Verzonden berichten").click()
    page.get_by_role("link", name="Schoolreis naar de Efteling").click()
    expect(page.get_by_role("heading", name="Gelezen door 1 van 2 gezinnen")).to_be_visible()
    expect(page.locator(".not-reached")).to_contain_text("Noor Bakker (Rik Bakker)")
    screenshot(page, "mailings-reach")
    page.get_by_role("button", name="Herinnering sturen").click()
    expect(page.get_by_text("Er gaat een herinnering naar 1 gezin.")).to_be_visible()
    outbox_deliver()
    assert [
        rcpts
        for rcpts, message in smtp.handler.received
        if message["Subject"].startswith("Herinnering")
    ] == [["rik@example.nl"]]
    screenshot(page, "mailings-reach-reminded")
