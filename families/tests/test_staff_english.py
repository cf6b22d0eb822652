"""The staff pages of families (restrictions, parents' changes, consent) in English for staff
who chose English, like the rest of OCS."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from conftest import PASSWORD
from lib.testing import screenshot

PAGES = {
    "/beheer/gezag/": ("Custody and access", "Restrict access", "Reason"),
    "/beheer/wijzigingen/": ("Changes by parents", "Awaiting approval", "No changes are waiting."),
    "/beheer/toestemming/": ("Purposes", "When parents answer differently", "School year"),
    "/toestemming/": ("Photo and video consent", "The school has not requested consent yet."),
}
DUTCH = ("Toegang beperken", "Wachten op goedkeuring", "Doelen", "Overzicht per groep", "Reden")


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_the_staff_pages_speak_english(world, login, url):
    client = login(world.bea)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(url).content.decode()
    for text in PAGES[url]:
        assert text in page, (url, text)
    for text in DUTCH:
        assert f">{text}<" not in page, (url, text)


@pytest.mark.django_db(transaction=True)
def test_the_restrictions_page_in_english_in_a_browser(live_server, page, world):
    from families.restrictions import restriction_add

    restriction_add(
        parent=world.quinten, pupil=world.sam, reason="Court order", staff=world.dirk, request=None
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/team/login/")
    page.get_by_label("E-mailadres").fill("bea@linde.test")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.goto(f"{live_server.url}/beheer/gezag/")
    page.get_by_label("Taal").select_option("en")
    page.get_by_role("button", name="Kies").click()
    expect(page.get_by_role("heading", name="Custody and access")).to_be_visible()
    expect(page.get_by_role("button", name="Lift")).to_be_visible()
    screenshot(page, "families-restrictions-english")
