"""The teacher reads and changes a round's reminder text and sends it; the beheerder's
account reminder card (screenshots of both pages)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from conftest import PASSWORD
from lib.testing import assert_accessible, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, base, email):
    page.goto(base + reverse("accounts:staff_login"))
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def test_a_teacher_edits_and_sends_a_round_reminder(live_server, page, world, make_round):
    from mailings.models import OutgoingMessage

    conference = make_round()
    log_in(page, live_server.url, "anna@linde.test")
    page.goto(live_server.url + reverse("conferences:round_detail", args=[conference.public_id]))
    page.get_by_role("link", name="Tekst bekijken en aanpassen").click()
    expect(page.get_by_text("De herinnering gaat naar 1 gezin")).to_be_visible()
    page.get_by_label("Onderwerp").fill("Nog even een tijd kiezen")
    assert_accessible(page)
    screenshot(page, "conferences-remind")
    page.get_by_role("button", name="Herinnering sturen").click()
    expect(page.get_by_text("Er gaat een herinnering naar 1 gezin.")).to_be_visible()
    sent = OutgoingMessage.objects.filter(payload__subject="Nog even een tijd kiezen")
    assert sorted(sent.values_list("email", flat=True)) == [
        "petra@example.nl",
        "quinten@example.nl",
    ]


def test_the_beheerder_sees_the_account_reminder_with_its_text(live_server, page, world):
    log_in(page, live_server.url, "bea@linde.test")
    page.goto(live_server.url + reverse("accounts:invitations"))
    expect(page.get_by_label("Tekst van de herinnering")).to_contain_text(
        "U heeft uw account voor OCS nog niet geactiveerd."
    )
    screenshot(page, "accounts-invitations-reminder")
