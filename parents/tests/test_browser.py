"""The manual's flow in a real browser: Team → Login, Ouderoverzicht, a group, a parent,
edit, block and unblock with the lock, and the group PDF."""

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from conftest import PASSWORD
from lib.testing import screenshot
from schools.models import Parent

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


def log_in_as_anna(page, live_server):
    page.goto(f"{live_server.url}/s/de-linde/")
    page.get_by_role("region", name="Team").get_by_role("link", name="Login").click()
    page.get_by_label("E-mailadres").fill("anna@linde.test")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_text("Leerkrachtendashboard")).to_be_visible()


def test_a_teacher_walks_the_ouderoverzicht_edits_blocks_and_downloads_the_pdf(
    live_server, page, world
):
    log_in_as_anna(page, live_server)
    page.get_by_role("navigation").get_by_role("link", name="Ouderoverzicht").click()
    expect(page.get_by_role("heading", name="Ouderoverzicht")).to_be_visible()
    screenshot(page, "parents-group-list")

    page.get_by_role("link", name="Groep 3", exact=True).click()
    expect(page.get_by_role("heading", name="Ouders van Groep 3")).to_be_visible()
    screenshot(page, "parents-group-detail")

    page.get_by_role("link", name="Petra Jansen", exact=True).click()
    expect(page.get_by_role("heading", name="Petra Jansen")).to_be_visible()
    screenshot(page, "parents-parent-detail")

    page.get_by_role("link", name="Gegevens wijzigen").click()
    page.get_by_label("Telefoon").fill("06-1234")
    page.get_by_label("Postcode").fill("8021ca")
    page.get_by_role("button", name="Opslaan").click()
    # The error sits at its field (tied with aria-describedby) and in the focused summary.
    expect(page.locator("#id_phone_error")).to_contain_text("minstens 10 cijfers")
    expect(page.locator(".error-summary")).to_be_focused()
    assert "id_phone_error" in page.get_by_label("Telefoon").get_attribute("aria-describedby")
    screenshot(page, "parents-edit-errors")
    page.get_by_label("Telefoon").fill("06-12345678")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("De gegevens zijn opgeslagen.")).to_be_visible()
    expect(page.get_by_text("8021 CA")).to_be_visible()

    page.get_by_role("link", name="Groep 3").click()
    row = page.locator(f"#parent-{world.petra.public_id}")
    page.evaluate("window.__no_reload = true")  # survives only if the page is not reloaded
    row.get_by_role("button", name="Petra Jansen blokkeren").click()
    row = page.locator(f"#parent-{world.petra.public_id}")
    expect(row.get_by_text("geblokkeerd")).to_be_visible()
    assert page.evaluate("window.__no_reload") is True  # htmx swapped the row only
    assert Parent.objects.get(pk=world.petra.pk).is_blocked
    screenshot(page, "parents-blocked")
    row.get_by_role("button", name="Petra Jansen toelaten").click()
    expect(row.get_by_text("actief")).to_be_visible()
    assert not Parent.objects.get(pk=world.petra.pk).is_blocked

    with page.expect_download() as info:
        page.get_by_role("link", name="Maak een pdf").click()
    download = info.value
    assert download.suggested_filename.startswith("ouderoverzicht-groep-3")
    with open(download.path(), "rb") as f:
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(f.read())).pages)
    assert "Ouderoverzicht Groep 3" in text and "Petra Jansen" in text


def test_the_lock_works_without_javascript(live_server, browser, world):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in_as_anna(page, live_server)
    page.goto(f"{live_server.url}/ouderoverzicht/groep/{world.g3.public_id}/")
    page.get_by_role("button", name="Quinten Jansen blokkeren").click()
    expect(page.get_by_text("Quinten Jansen is geblokkeerd.")).to_be_visible()
    assert Parent.objects.get(pk=world.quinten.pk).is_blocked
    context.close()


def test_the_parent_list_reads_well_on_a_phone(live_server, browser, world):
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    page = context.new_page()
    log_in_as_anna(page, live_server)
    page.goto(f"{live_server.url}/ouderoverzicht/groep/{world.g3.public_id}/")
    expect(page.get_by_role("link", name="Petra Jansen", exact=True)).to_be_visible()
    screenshot(page, "parents-group-detail-phone")
    page.goto(f"{live_server.url}/ouderoverzicht/ouder/{world.quinten.public_id}/")
    screenshot(page, "parents-parent-detail-phone")
    context.close()


def test_the_beheerder_previews_the_year_end_and_a_teacher_previews_a_move(
    live_server, page, world
):
    from schools.models import Group, Pupil

    for name in ("Groep 1/2A", "Groep 1/2B", "Groep 8"):
        group = Group.objects.create(school=world.school, name=name)
        Pupil.objects.create(
            school=world.school, number=name, first_name="Kind", last_name=name, group=group
        )
    page.goto(f"{live_server.url}/s/de-linde/")
    page.get_by_role("region", name="Team").get_by_role("link", name="Login").click()
    page.get_by_label("E-mailadres").fill("bea@linde.test")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("navigation").get_by_role("link", name="Ouderoverzicht").click()
    page.get_by_role("link", name="Nieuw schooljaar: alle groepen verplaatsen").click()
    expect(page.get_by_label("Groep 8")).to_have_value("leave")
    screenshot(page, "parents-year-end-choices")
    page.get_by_role("button", name="Bekijk en bevestig").click()
    expect(page.get_by_role("button", name="Ja, verplaats alle groepen")).to_be_visible()
    screenshot(page, "parents-year-end-preview")
    page.get_by_role("button", name="Ja, verplaats alle groepen").click()
    expect(page.get_by_text("Het nieuwe schooljaar is ingericht")).to_be_visible()
    assert Pupil.objects.get(pk=world.sam.pk).group.name == "Groep 4"

    page.get_by_role("link", name="Groep 4", exact=True).click()
    page.get_by_role("link", name="Verplaats naar").click()
    page.get_by_label("Verplaats naar").select_option(label="Groep 3")
    page.get_by_role("button", name="Bekijk en bevestig").click()
    expect(page.get_by_text("Sam Jansen")).to_be_visible()
    screenshot(page, "parents-move-preview")
