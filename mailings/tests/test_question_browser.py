"""Vraag om reactie in a real browser: a teacher adds a question when composing, a parent
answers it on a phone (375 px wide), and the teacher sees the tally and who has not answered."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lib.testing import screenshot
from mailings.delivery import outbox_deliver
from mailings.models import Answer, Question
from mailings.tests.test_portal_browser import log_in
from schools.models import Pupil

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 375, "height": 812}


def test_a_parent_answers_on_a_phone_and_the_teacher_sees_the_tally(
    live_server, browser, world, make_parent, smtp
):
    noor = Pupil.objects.create(
        school=world.school, number="1003", first_name="Noor", last_name="Bakker", group=world.g3
    )
    make_parent(world.school, "rik@example.nl", pupils=[noor], first_name="Rik", last_name="Bakker")
    base = live_server.url
    day = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()

    # The teacher composes the mailing with a question of three choices.
    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    log_in(page, base, "anna@linde.test", staff=True)
    page.goto(f"{base}/oudermailing/?group={world.g3.public_id}")
    page.get_by_label("Onderwerp").fill("Schoolreis naar de Efteling")
    page.get_by_label("Bericht", exact=True).fill("Beste ouders,\n\nVrijdag gaan we op reis.")
    page.get_by_text("Vraag om reactie toevoegen").click()
    page.get_by_label("Vraag", exact=True).fill("Hoe komt uw kind naar de bus?")
    page.get_by_label("Keuzes die u zelf typt (2 tot 6)").check()
    page.get_by_placeholder("Keuze 1").fill("Lopend")
    page.get_by_placeholder("Keuze 2").fill("Met de fiets")
    page.get_by_placeholder("Keuze 3").fill("Wordt gebracht")
    page.get_by_label("Antwoorden tot (datum)").fill(day)
    page.get_by_label("Tijd", exact=True).fill("18:00")
    screenshot(page, "question-compose")
    page.get_by_role("button", name="Verstuur bericht").click()
    expect(page.get_by_role("heading", name="Vraag om reactie")).to_be_visible()
    question = Question.objects.get()
    assert [c.label for c in question.choices.all()] == ["Lopend", "Met de fiets", "Wordt gebracht"]
    outbox_deliver()
    mail = [m for _r, m in smtp.handler.received if "petra@example.nl" in m["To"]][0]
    assert "Dit bericht bevat een vraag: Hoe komt uw kind naar de bus?" in (
        mail.get_body(("plain",)).get_content()
    )

    # Petra answers on her phone.
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    mobile = phone.new_page()
    log_in(mobile, base, "petra@example.nl", staff=False)
    expect(mobile.get_by_text("De school wacht op uw antwoord op 1 vraag.")).to_be_visible()
    mobile.get_by_role("navigation").get_by_role("link", name="Berichten").click()
    expect(mobile.locator(".message-question")).to_contain_text("Vraag om reactie · antwoorden tot")
    screenshot(mobile, "question-berichten-phone")
    mobile.get_by_role("link", name="Schoolreis naar de Efteling").click()
    section = mobile.locator("#vraag")
    expect(section).to_contain_text("Hoe komt uw kind naar de bus?")
    expect(section).to_contain_text("U kunt antwoorden en uw antwoord wijzigen tot")
    section.get_by_label("Met de fiets").check()
    section.get_by_role("button", name="Antwoord opslaan").click()
    expect(mobile.get_by_text("Bedankt, uw antwoord is opgeslagen.")).to_be_visible()
    expect(mobile.locator("#vraag")).to_contain_text("Geantwoord door Petra Jansen")
    expect(mobile.locator("#vraag").get_by_label("Met de fiets")).to_be_checked()
    assert mobile.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(mobile, "question-portal-phone")
    phone.close()
    assert Answer.objects.get(pupil=world.sam).choice.label == "Met de fiets"

    # The teacher sees the tally and the family that has not answered.
    page.reload()
    tally = page.locator(".question-tally")
    expect(tally).to_contain_text("1 van 2 kinderen beantwoord")
    expect(tally.locator("tr", has_text="Met de fiets")).to_contain_text("1")
    expect(tally.locator("tr", has_text="Lopend")).to_contain_text("0")
    expect(tally.locator(".not-answered")).to_contain_text("Noor Bakker")
    expect(tally.locator(".not-answered")).not_to_contain_text("Sam")
    text = tally.get_by_label("Tekst van de herinnering").input_value()
    assert text.startswith("Wij hebben nog geen antwoord van u op de vraag: “Hoe komt uw kind")
    assert "om 18:00 in het ouderportaal" in text
    screenshot(page, "question-tally")
    tally.get_by_role("button", name="Herinnering sturen").click()
    expect(page.get_by_text("Er gaat een herinnering naar 1 gezin.")).to_be_visible()
    desk.close()

    # The same status page on the teacher's phone.
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    mobile = phone.new_page()
    log_in(mobile, base, "anna@linde.test", staff=True)
    mobile.goto(f"{base}/oudermailing/verzonden/{question.mailing.public_id}/")
    expect(mobile.locator(".question-tally")).to_contain_text("1 van 2 kinderen beantwoord")
    screenshot(mobile, "question-tally-phone")
    phone.close()
