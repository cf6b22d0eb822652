"""The manual's chapter "Oudergesprekken" in a real browser: the teacher creates, checks the
times, plans a child in, deletes and adds a slot, publishes and notifies; a parent books on a
phone; the teacher downloads the PDF."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from conftest import PASSWORD
from lib.testing import assert_accessible, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


def log_in(page, base, path, email):
    page.goto(base + path)
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def test_the_oudergesprekken_chapter_from_creation_to_pdf(
    live_server, page, browser, world, make_parent
):
    from schools.models import Pupil

    kim = Pupil.objects.create(
        school=world.school, number="3001", first_name="Kim", last_name="Bos", group=world.g3
    )
    make_parent(world.school, "kees@example.nl", pupils=[kim], first_name="Kees", last_name="Bos")
    day = timezone.localdate() + timedelta(days=10)
    base = live_server.url

    # The teacher creates the round.
    log_in(page, base, "/team/login/", "anna@linde.test")
    page.get_by_role("navigation").get_by_role("link", name="Oudergesprekken").click()
    page.get_by_role("link", name="+ Gesprekken toevoegen").click()
    page.get_by_label("Groep").select_option(label="Groep 3")
    page.get_by_label("Totaal aantal gesprekken").fill("30")
    page.get_by_label("Duur van een gesprek (minuten)").fill("10")
    page.get_by_label("Aantal gesprekken zonder pauze").fill("3")
    page.get_by_label("Duur van de pauze (minuten)").fill("10")
    page.get_by_label("Startdatum").fill(day.isoformat())
    page.get_by_label("Begintijd").fill("15:00")
    page.get_by_label("Eindtijd").fill("16:10")
    screenshot(page, "conferences-create")
    page.get_by_role("button", name="Opslaan").click()
    # Thirty do not fit in one afternoon: the teacher is told before anything is saved.
    expect(page.get_by_text("Er passen 6 van de 30 gesprekken.")).to_be_visible()
    expect(page.get_by_role("button", name="Sla 6 gesprekken op")).to_be_visible()
    screenshot(page, "conferences-create-shortfall")
    page.get_by_label("Totaal aantal gesprekken").fill("6")
    page.get_by_role("button", name="Opslaan", exact=True).click()

    # The generated times: three talks, a break of ten minutes, three more.
    expect(page.get_by_text("Nog niet gepubliceerd").first).to_be_visible()
    times = page.locator("td.col-time").all_inner_texts()
    assert times == [
        "15:00–15:10",
        "15:10–15:20",
        "15:20–15:30",
        "15:40–15:50",
        "15:50–16:00",
        "16:00–16:10",
    ]

    # Plan Sam in at 15:10, delete 16:00, add 16:20.
    page.get_by_label("Kind om 15:10").select_option(label="Sam Jansen")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("ingepland door de leerkracht")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Tijdvak 16:00 verwijderen").click()
    expect(page.get_by_text("Het tijdvak is verwijderd.")).to_be_visible()
    page.locator("form.inline-form").get_by_label("Dag").fill(day.isoformat())
    page.locator("form.inline-form").get_by_label("Begintijd").fill("16:20")
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.get_by_text("Het tijdvak is toegevoegd.")).to_be_visible()
    times = page.locator("td.col-time").all_inner_texts()
    assert "16:00–16:10" not in times and "16:20–16:30" in times
    screenshot(page, "conferences-detail")

    # Publish and send the notification.
    page.get_by_role("button", name="Publiceren").click()
    expect(page.get_by_text("Gepubliceerd", exact=True)).to_be_visible()
    mail.outbox.clear()
    page.get_by_role("link", name="Melding sturen").click()
    expect(page.get_by_label("Bericht")).to_contain_text("/portaal/oudergesprekken/")
    screenshot(page, "conferences-notify")
    page.get_by_role("button", name="Verstuur").click()
    expect(page.get_by_text("De melding is verstuurd naar 3 ouders.")).to_be_visible()

    # A parent books on a phone.
    phone = browser.new_context(viewport=PHONE, is_mobile=True)
    parent_page = phone.new_page()
    log_in(parent_page, base, "/ouders/login/", "kees@example.nl")
    expect(parent_page.get_by_text("Er staan oudergesprekken klaar voor Kim")).to_be_visible()
    parent_page.get_by_role("link", name="Oudergesprekken").first.click()
    screenshot(parent_page, "conferences-portal-phone")
    expect(parent_page.get_by_text("15:10–15:20")).to_have_count(0)  # Sam's time is taken
    parent_page.get_by_label("15:20–15:30").check()
    parent_page.get_by_role("button", name="Opslaan").click()
    expect(parent_page.get_by_text("Opgeslagen: het gesprek voor Kim")).to_be_visible()
    screenshot(parent_page, "conferences-portal-booked-phone")
    phone.close()

    # The teacher sees it in the list and in the round, and downloads the PDF.
    detail_url = page.url
    page.goto(base + "/oudergesprekken/")
    expect(page.get_by_role("cell", name="2 / 6")).to_be_visible()
    screenshot(page, "conferences-round-list")
    page.goto(detail_url)
    expect(page.get_by_text("geboekt door Kees Bos")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Maak een pdf").click()
    path = download_info.value.path()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(Path(path).read_bytes())).pages)
    assert "Kim Bos" in text and "Kees Bos" in text and "Sam Jansen" in text
    assert "16:20–16:30" in text
    screenshot(page, "conferences-detail-booked")


def test_a_parent_of_two_children_sees_both_rounds_and_the_siblings_talk_on_a_phone(
    live_server, browser, world, make_round
):
    from conferences.services import slot_book
    from conferences.tests.conftest import slot_at

    make_round()
    lotte_round = make_round(group=world.g4, staff=world.bram)
    slot_book(
        parent=world.quinten,
        conference=lotte_round,
        pupil=world.lotte,
        slot_id=slot_at(lotte_round, 15, 20).pk,
    )
    phone = browser.new_context(viewport=PHONE, is_mobile=True)
    page = phone.new_page()
    log_in(page, live_server.url, "/ouders/login/", "quinten@example.nl")
    expect(page.get_by_text("Er staan oudergesprekken klaar voor Sam")).to_be_visible()
    screenshot(page, "conferences-dashboard-notice-phone")
    page.get_by_role("link", name="Oudergesprekken").first.click()
    expect(page.get_by_role("heading", name="Sam · Groep 3")).to_be_visible()
    expect(page.get_by_role("heading", name="Lotte · Groep 4")).to_be_visible()
    sam = page.get_by_role("region", name="Sam · Groep 3")
    expect(sam.get_by_text("valt samen met het gesprek van Lotte")).to_be_visible()
    expect(sam.get_by_text("aansluitend aan het gesprek van Lotte")).to_have_count(2)
    expect(sam.get_by_role("radio", name="15:20–15:30")).to_be_disabled()
    screenshot(page, "conferences-portal-siblings-phone")
    sam.get_by_role("radio", name="15:30–15:40").check()
    sam.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Opgeslagen: het gesprek voor Sam")).to_be_visible()
    phone.close()


def test_destructive_buttons_ask_first_and_a_missing_choice_is_shown_at_the_childs_card(
    live_server, page, browser, world, make_round
):
    from conferences.services import slot_book
    from conferences.tests.conftest import slot_at

    conference = make_round()
    lotte_round = make_round(group=world.g4, staff=world.bram)
    slot_book(
        parent=world.quinten,
        conference=lotte_round,
        pupil=world.lotte,
        slot_id=slot_at(lotte_round, 15, 20).pk,
    )
    base = live_server.url
    log_in(page, base, "/team/login/", "anna@linde.test")
    page.goto(f"{base}/oudergesprekken/{conference.public_id}/")
    questions = []

    def dismiss(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.get_by_role("button", name="Tijdvak 15:00 verwijderen").click()
    page.get_by_role("button", name="Herinnering sturen").click()
    page.wait_for_timeout(300)
    assert questions == [
        "Het tijdvak van 15:00 verwijderen?",
        "Een herinnering sturen aan de ouders van 1 kind zonder tijd?",
    ]
    assert conference.slots.count() == 6  # nothing was deleted
    page.remove_listener("dialog", dismiss)

    # Quinten on a phone: Sam's card, submitted without a choice.
    phone = browser.new_context(viewport=PHONE, is_mobile=True)
    parent_page = phone.new_page()
    log_in(parent_page, base, "/ouders/login/", "quinten@example.nl")
    parent_page.goto(base + "/portaal/oudergesprekken/")
    sam = parent_page.get_by_role("region", name="Sam · Groep 3")
    # The reason a time cannot be chosen is not dimmed; only the time is.
    note = sam.get_by_text("valt samen met het gesprek van Lotte")
    assert note.evaluate("e => getComputedStyle(e.closest('label')).opacity") == "1"
    sam.get_by_role("button", name="Opslaan").click()
    sam = parent_page.get_by_role("region", name="Sam · Groep 3")
    expect(sam.get_by_text("Kies een tijd voor Sam.")).to_be_visible()
    assert parent_page.evaluate("document.activeElement.getAttribute('aria-labelledby')") == (
        sam.get_attribute("aria-labelledby")
    )
    screenshot(parent_page, "conferences-portal-missing-choice-phone")
    assert_accessible(parent_page)
    # Cancelling a booked talk asks first.
    sam.get_by_role("radio", name="15:30–15:40").check()
    sam.get_by_role("button", name="Opslaan").click()
    asked = []
    parent_page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    sam = parent_page.get_by_role("region", name="Sam · Groep 3")
    sam.get_by_role("button", name="Gesprek annuleren").click()
    parent_page.wait_for_timeout(300)
    assert asked == ["Het gesprek voor Sam annuleren?"]
    assert conference.slots.filter(pupil=world.sam).exists()
    phone.close()


def test_the_teacher_renames_a_round_and_deletes_it(live_server, page, world, make_round):
    from conferences.models import ConferenceRound

    conference = make_round()
    base = live_server.url
    log_in(page, base, "/team/login/", "anna@linde.test")
    page.goto(f"{base}/oudergesprekken/{conference.public_id}/")
    page.get_by_role("link", name="Instellingen wijzigen").click()
    page.get_by_label("Naam").fill("Rapportgesprekken")
    page.get_by_label("Plaats of videolink").fill("https://")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".error-summary")).to_be_focused()
    screenshot(page, "conferences-edit-error")
    assert_accessible(page)
    page.get_by_label("Plaats of videolink").fill("Lokaal 12")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("heading", name="Rapportgesprekken")).to_be_visible()
    expect(page.get_by_text("Plaats: Lokaal 12")).to_be_visible()
    screenshot(page, "conferences-detail-renamed")
    page.get_by_role("link", name="Ronde verwijderen").click()
    screenshot(page, "conferences-delete")
    page.get_by_role("button", name="Ronde verwijderen").click()
    expect(page.get_by_text("Rapportgesprekken is verwijderd.")).to_be_visible()
    assert not ConferenceRound.objects.exists()
