"""In a real browser: a hard bounce shows at the parent in the Ouderoverzicht, the filter
"E-mailadres werkt niet" lists only those parents, a staff edit of the address clears it;
the beheerder opens Beheer → E-mailinstellingen."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from lib.testing import screenshot
from mailings.bounces import bounce_receive
from mailings.delivery import outbox_deliver
from mailings.models import OutgoingMessage
from mailings.tests.bounce_helpers import dsn
from mailings.tests.helpers import send_to_group
from mailings.verp import verp_address

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, live_server, email):
    page.goto(f"{live_server.url}/s/de-linde/")
    page.get_by_role("region", name="Team").get_by_role("link", name="Login").click()
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_text("Leerkrachtendashboard")).to_be_visible()


def test_the_filter_shows_bounced_addresses_until_staff_change_them(
    live_server, page, world, settings
):
    settings.OCS_BOUNCE_DOMAIN = "bounces.ocs.test"
    mailing = send_to_group(world.anna, world.g3, subject="Schoolreis")
    outbox_deliver()
    message = OutgoingMessage.objects.get(mailing=mailing, email="petra@example.nl")
    assert (
        bounce_receive(recipient=verp_address(message), raw=dsn(recipient=message.email)).outcome
        == "hard"
    )

    log_in(page, live_server, "anna@linde.test")
    page.get_by_role("navigation").get_by_role("link", name="Ouderoverzicht").click()
    page.get_by_role("link", name="Groep 3", exact=True).click()
    petra = page.locator(f"#parent-{world.petra.public_id}")
    expect(petra.get_by_text("e-mailadres werkt niet")).to_be_visible()
    expect(page.locator(f"#parent-{world.quinten.public_id}")).to_be_visible()
    page.get_by_role("link", name="E-mailadres werkt niet (1)").click()
    expect(page.get_by_role("link", name="E-mailadres werkt niet (1)")).to_have_attribute(
        "aria-current", "page"
    )
    expect(petra).to_be_visible()
    expect(page.locator(f"#parent-{world.quinten.public_id}")).to_have_count(0)
    page.screenshot(path="/tmp/wt22-filter.png", full_page=True)
    screenshot(page, "bounces-group-filter")

    page.get_by_role("link", name="Petra Jansen", exact=True).click()
    expect(page.get_by_text("Mail aan dit adres kwam onbestelbaar terug.")).to_be_visible()
    page.screenshot(path="/tmp/wt22-parent.png", full_page=True)
    page.get_by_role("link", name="Gegevens wijzigen").click()
    page.get_by_label("E-mailadres").fill("petra.jansen@example.nl")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("De gegevens zijn opgeslagen.")).to_be_visible()
    expect(page.get_by_text("e-mailadres werkt niet")).to_have_count(0)
    page.get_by_role("link", name="Groep 3").click()
    expect(page.get_by_role("link", name="Alle ouders")).to_have_count(0)
    expect(page.get_by_text("e-mailadres werkt niet")).to_have_count(0)

    # The mailing's status names the bounce.
    page.goto(f"{live_server.url}/oudermailing/verzonden/{mailing.public_id}/")
    expect(page.get_by_text("1 onbestelbaar")).to_be_visible()
    page.screenshot(path="/tmp/wt22-status.png", full_page=True)


def test_the_beheerder_opens_the_mail_settings_page(live_server, page, world, settings, tmp_path):
    import subprocess

    key = tmp_path / "dkim.pem"
    subprocess.run(
        ["/usr/bin/openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True
    )
    settings.OCS_DKIM_KEY_FILE = str(key)
    settings.OCS_DKIM_SELECTOR = "ocs2026"
    settings.OCS_BOUNCE_DOMAIN = "bounces.ocs.test"
    log_in(page, live_server, "bea@linde.test")
    page.get_by_role("link", name="E-mailinstellingen").click()
    expect(page.get_by_role("heading", name="E-mailinstellingen")).to_be_visible()
    expect(page.get_by_text("2048 bits.")).to_be_visible()
    expect(page.get_by_text("ocs2026._domainkey.linde.test")).to_be_visible()
    page.screenshot(path="/tmp/wt22-settings.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path="/tmp/wt22-settings-phone.png", full_page=True)
    screenshot(page, "email-settings")
