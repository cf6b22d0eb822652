"""Identity in a real browser: a parent of two schools joins the second school with her own
login, sees both children and switches school; a new address is confirmed from the portal."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from conftest import PASSWORD
from lib.testing import screenshot
from schools.models import Parent

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


def test_a_parent_joins_a_second_school_with_her_login_and_switches_between_them(
    live_server, browser, world
):
    from accounts.services import invitation_send

    at_eik = Parent.objects.create(
        school=world.other_school, email="petra@example.nl", first_name="Petra", last_name="J"
    )
    at_eik.pupils.add(world.eik_kid)
    mail.outbox.clear()
    invitation_send(record=at_eik)
    path = re.search(r"http://\S+(/uitnodiging/\S+/)", mail.outbox[-1].body).group(1)

    context = browser.new_context(viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", name="Welkom bij OCS van De Eik")).to_be_visible()
    screenshot(page, "identity-join-second-school-phone")
    page.get_by_label("Wachtwoord van uw account").fill(PASSWORD)
    page.get_by_role("button", name="Koppelen aan mijn account").click()
    expect(page.get_by_text("Uw account is gekoppeld aan De Eik")).to_be_visible()
    expect(page.get_by_text("Sam Jansen")).to_be_visible()
    expect(page.get_by_text("Ezra Eik")).to_be_visible()
    expect(page.get_by_text("Groep 3 · De Eik")).to_be_visible()
    screenshot(page, "identity-two-schools-dashboard-phone")

    page.get_by_label("School").select_option("de-linde")
    page.get_by_role("button", name="Wissel").click()
    expect(page.locator(".brand-name")).to_have_text("De Linde")
    context.close()


def test_a_parent_confirms_the_address_her_school_noted(live_server, page, world):
    from parents.services import parent_update

    data = {
        name: getattr(world.petra, name)
        for name in ("first_name", "infix", "last_name", "phone", "street", "house_number")
    }
    data.update(email="petra.nieuw@example.nl", postcode="", city="")
    mail.outbox.clear()
    parent_update(parent=world.petra, data=data, request=None)
    confirm = next(m for m in mail.outbox if m.to == ["petra.nieuw@example.nl"])
    path = re.search(r"http://\S+(/account/\S+/)", confirm.body).group(1)

    page.goto(live_server.url + path)  # not logged in: the login page first
    page.get_by_label("E-mailadres").fill("petra@example.nl")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Nieuw e-mailadres bevestigen")).to_be_visible()
    screenshot(page, "identity-confirm-address")
    page.get_by_role("button", name="Ja, dit wordt mijn inlognaam").click()
    expect(page.get_by_text("Uw inlognaam is nu petra.nieuw@example.nl")).to_be_visible()
