"""Mijn gegevens and Toestemming beeldmateriaal in a real browser, on a phone."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from lib.testing import screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


def log_in_parent(page, base, email):
    page.goto(f"{base}/ouders/login/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def test_a_parent_corrects_details_and_answers_consent_on_a_phone(live_server, browser, world):
    from families.consent import consent_round_start
    from families.services import family_policy_update
    from schools.models import Parent

    family_policy_update(school=world.school, approve_changes=True, request=None)
    consent_round_start(school=world.school, school_year="2026-2027", request=None)
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    page = context.new_page()
    log_in_parent(page, live_server.url, "petra@example.nl")
    page.locator("#main").get_by_role("link", name="Mijn gegevens").click()
    expect(page.get_by_role("heading", name="Mijn gegevens")).to_be_visible()
    expect(page.get_by_text("Sam Jansen")).to_be_visible()
    page.get_by_label("Telefoon").fill("06 1111 2222")
    page.get_by_label("Straat").fill("Lindelaan")
    page.get_by_role("button", name="Wijziging doorgeven").click()
    expect(page.get_by_text("Uw wijziging is doorgegeven.")).to_be_visible()
    expect(page.get_by_text("Uw wijziging wacht op de administratie")).to_be_visible()
    screenshot(page, "families-my-details-phone")
    assert Parent.objects.get(pk=world.petra.pk).street != "Lindelaan"

    page.get_by_role("navigation", name="Ouderportaal").get_by_role(
        "link", name="Toestemming beeldmateriaal"
    ).click()
    form = page.locator("form.consent-form")
    for purpose in ("Schoolgids", "Website", "Nieuwsbrief"):
        form.get_by_role("group", name=purpose).get_by_label("Ja, ik geef toestemming").check()
    form.get_by_role("group", name="Sociale media").get_by_label("Nee").check()
    page.get_by_role("button", name="Antwoord voor Sam opslaan").click()
    expect(page.get_by_text("Uw antwoord voor Sam is opgeslagen.")).to_be_visible()
    form.get_by_role("group", name="Website").get_by_label(
        "Nee, ik trek mijn toestemming in"
    ).check()
    page.get_by_role("button", name="Antwoord voor Sam opslaan").click()
    expect(page.get_by_text("U hebt uw toestemming ingetrokken.")).to_be_visible()
    screenshot(page, "families-consent-phone")
    context.close()

    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    desk = staff.new_page()
    desk.goto(f"{live_server.url}/team/login/")
    desk.get_by_label("E-mailadres").fill("bea@linde.test")
    desk.get_by_label("Wachtwoord").fill(PASSWORD)
    desk.get_by_role("button", name="Inloggen").click()
    desk.goto(f"{live_server.url}/beheer/wijzigingen/")
    screenshot(desk, "families-changes")
    desk.get_by_role("button", name="Goedkeuren").click()
    expect(desk.get_by_text("De wijziging van Petra Jansen is verwerkt.")).to_be_visible()
    assert Parent.objects.get(pk=world.petra.pk).street == "Lindelaan"
    desk.goto(f"{live_server.url}/toestemming/groep/{world.g3.public_id}/")
    row = desk.get_by_role("row", name="Sam Jansen")
    expect(row.locator(".consent-yes")).to_have_count(2)
    expect(row.locator(".consent-no")).to_have_count(2)
    screenshot(desk, "families-consent-group")
    staff.close()


def test_the_directie_restricts_a_guardian_and_the_teacher_sees_only_a_marker(
    live_server, browser, world
):
    def staff_page(email):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(f"{live_server.url}/team/login/")
        page.get_by_label("E-mailadres").fill(email)
        page.get_by_label("Wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Inloggen").click()
        return context, page

    context, page = staff_page("dirk@linde.test")
    page.get_by_role("link", name="Gezag en toegang").click()
    page.get_by_label("Ouder en kind").select_option(label="Quinten Jansen — Sam Jansen (Groep 3)")
    page.get_by_label("Reden (alleen zichtbaar voor directie en beheerder)").fill(
        "Uitspraak rechtbank"
    )
    page.get_by_role("button", name="Toegang beperken").click()
    done = "Quinten Jansen heeft geen toegang meer tot Sam Jansen."
    expect(page.get_by_text(done)).to_be_visible()
    expect(page.get_by_role("cell", name="Uitspraak rechtbank")).to_be_visible()
    screenshot(page, "families-restrictions")
    context.close()

    context, page = staff_page("anna@linde.test")
    page.goto(f"{live_server.url}/ouderoverzicht/groep/{world.g3.public_id}/")
    expect(page.get_by_text("beperkte toegang ouder")).to_be_visible()
    expect(page.get_by_text("Uitspraak rechtbank")).to_have_count(0)
    screenshot(page, "families-ouderoverzicht-marker")
    context.close()
