"""The beheerder's pages in a real browser: invitations, the audit log, an AVG request."""

import json

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from lib.testing import screenshot
from schools.models import Parent

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, live_server, email):
    page.goto(f"{live_server.url}/team/login/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def test_the_beheerder_invites_reads_the_log_exports_and_erases(
    live_server, page, world, make_parent
):
    make_parent(
        world.school,
        "nieuw@example.nl",
        pupils=[world.lotte],
        with_login=False,
        first_name="Nina",
        last_name="Nieuw",
    )
    log_in(page, live_server, "bea@linde.test")

    page.get_by_role("link", name="Uitnodigingen").click()
    expect(page.get_by_text("1 ouder heeft nog geen gekoppeld account.")).to_be_visible()
    screenshot(page, "privacy-invitations")
    page.get_by_role("button", name="Nodig hen (opnieuw) uit").click()
    expect(page.get_by_text("1 uitnodiging(en) verstuurd.")).to_be_visible()

    page.get_by_role("link", name="Logboek").click()
    expect(page.get_by_role("cell", name="uitgenodigd")).to_be_visible()
    screenshot(page, "privacy-audit-log")

    page.get_by_role("link", name="AVG-verzoeken").click()
    page.get_by_label("Naam of e-mailadres").fill("petra")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_role("cell", name="Petra Jansen")).to_be_visible()
    screenshot(page, "privacy-requests")
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporteer (JSON)").click()
    document = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert document["ouder"]["e-mail"] == "petra@example.nl"

    page.get_by_role("link", name="Wissen").click()
    expect(
        page.get_by_role("heading", name="Alle gegevens van Petra Jansen wissen?")
    ).to_be_visible()
    screenshot(page, "privacy-erase-confirm")
    page.get_by_role("button", name="Definitief wissen").click()
    expect(page.get_by_text("Alle gegevens van deze ouder zijn gewist.")).to_be_visible()
    assert not Parent.objects.filter(email="petra@example.nl").exists()
