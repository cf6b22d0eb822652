"""The foundation's flows in a real browser: Team → Login, and a parent's first visit."""

import re
import time

import pytest
from django.core import mail
from playwright.sync_api import expect

from conftest import PASSWORD
from lib.testing import screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


def test_a_teacher_logs_in_through_team_login_and_sees_the_dashboard(live_server, page, world):
    page.goto(f"{live_server.url}/s/de-linde/")
    screenshot(page, "foundation-start-page")
    team = page.get_by_role("region", name="Team")
    team.get_by_role("link", name="Login").click()
    page.get_by_label("E-mailadres").fill("anna@linde.test")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_text("Leerkrachtendashboard")).to_be_visible()
    expect(page.get_by_role("heading", name="Groep 3")).to_be_visible()
    expect(page.get_by_role("navigation").get_by_text("Oudercommunicatie")).to_be_visible()
    screenshot(page, "foundation-dashboard")


def test_a_parent_accepts_an_invitation_and_sees_the_portal_on_a_phone(
    live_server, browser, world, make_parent
):
    from accounts.services import invitation_send

    fresh = make_parent(
        world.school, "fresh@example.nl", pupils=[world.lotte], with_login=False, first_name="Femke"
    )
    mail.outbox.clear()
    invitation_send(record=fresh)  # transaction=True: on_commit runs the task at once
    link = re.search(r"http://\S+/uitnodiging/\S+/", mail.outbox[-1].body).group(0)
    path = link[link.index("/uitnodiging/") :]
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.goto(live_server.url + path)
    page.get_by_label("Nieuw wachtwoord").fill("mijn-nieuwe-wachtwoord")
    page.get_by_label("Herhaal het wachtwoord").fill("mijn-nieuwe-wachtwoord")
    screenshot(page, "identity-invitation-accept-phone")
    page.get_by_role("button", name="Account aanmaken").click()
    expect(page.get_by_role("heading", name="Welkom, Femke")).to_be_visible()
    expect(page.get_by_text("Lotte Jansen")).to_be_visible()
    screenshot(page, "foundation-portal-phone")
    page.get_by_role("button", name="Uitloggen").click()
    page.goto(f"{live_server.url}/s/de-linde/")
    screenshot(page, "foundation-start-page-phone")
    context.close()


def test_a_teacher_sets_up_the_second_factor_and_needs_it_at_the_next_login(
    live_server, page, world
):
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def code(device, later=0):
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
        totp.time = time.time() + later  # a code may be used once: the next one comes later
        return f"{totp.token():06d}"

    def log_in():
        page.goto(f"{live_server.url}/team/login/")
        page.get_by_label("E-mailadres").fill("anna@linde.test")
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Inloggen").click()

    log_in()
    page.get_by_role("link", name="Anna Docent").click()
    page.get_by_role("link", name="Tweestapsverificatie instellen").click()
    expect(page.get_by_role("img", name="QR-code voor uw authenticator-app")).to_be_visible()
    screenshot(page, "security-otp-setup")
    device = TOTPDevice.objects.get(user=world.anna.user, confirmed=False)
    page.get_by_label("Code uit uw authenticator-app").fill(code(device))
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_role("heading", name="Tweestapsverificatie staat aan")).to_be_visible()
    expect(page.get_by_role("list", name="Herstelcodes").get_by_role("listitem")).to_have_count(10)
    screenshot(page, "security-recovery-codes")
    page.get_by_role("link", name="Ik heb de codes bewaard").click()

    page.get_by_role("button", name="Uitloggen").click()
    log_in()
    expect(page.get_by_role("heading", name="Code invoeren")).to_be_visible()
    device.refresh_from_db()
    page.get_by_label("Code uit uw authenticator-app").fill(code(device, later=device.step))
    page.get_by_role("button", name="Verder").click()
    expect(page.get_by_text("Leerkrachtendashboard")).to_be_visible()
