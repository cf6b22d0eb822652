"""What people see and do on phones and with a keyboard, across the chapters."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from lib.testing import screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 375, "height": 740}


def log_in(page, base, path, email):
    page.goto(base + path)
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()


def contrast(rgb1, rgb2) -> float:
    def luminance(rgb):
        def channel(c):
            c = c / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (channel(c) for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted([luminance(rgb1), luminance(rgb2)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def rgb(css: str) -> tuple[int, int, int]:
    parts = css[css.index("(") + 1 : css.index(")")].split(",")
    return tuple(int(float(p)) for p in parts[:3])


def test_account_and_security_is_reachable_on_a_phone(live_server, browser, world):
    logins = [("/ouders/login/", "petra@example.nl"), ("/team/login/", "anna@linde.test")]
    for path, email in logins:
        context = browser.new_context(viewport=PHONE, is_mobile=True)
        page = context.new_page()
        log_in(page, live_server.url, path, email)
        link = page.get_by_role("link", name="Account")
        expect(link).to_be_visible()
        screenshot(page, f"everyday-account-link-phone-{email.split('@')[0]}")
        link.click()
        expect(page.get_by_label("Nieuw wachtwoord", exact=True)).to_be_visible()
        context.close()


def test_staff_pages_do_not_scroll_sideways_on_a_phone(live_server, browser, world):
    from specialgroups.models import SpecialGroup

    SpecialGroup.objects.create(school=world.school, name="Voorleesouders met een lange naam")
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    page = context.new_page()
    log_in(page, live_server.url, "/team/login/", "bea@linde.test")
    for path in [
        "/leerkracht/",
        "/speciale-groepen/",
        "/ouderoverzicht/",
        f"/ouderoverzicht/groep/{world.g3.public_id}/",
        "/oudergesprekken/",
        "/oudermailing/",
    ]:
        page.goto(live_server.url + path)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= PHONE["width"], f"{path} is {wide}px wide"
    page.goto(live_server.url + "/speciale-groepen/")
    screenshot(page, "everyday-special-groups-phone")
    context.close()


def test_the_focus_ring_stands_out_at_least_3_to_1(live_server, page, world):
    log_in(page, live_server.url, "/team/login/", "anna@linde.test")
    page.goto(live_server.url + "/ouderoverzicht/")
    link = page.get_by_role("link", name="Groep 3", exact=True)
    link.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # keyboard focus, so :focus-visible applies
    style = link.evaluate(
        "e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineColor] }"
    )
    assert style[0] == "solid"
    for background in [(255, 255, 255), (245, 247, 250)]:  # cards and the page
        assert contrast(rgb(style[1]), background) >= 3
    screenshot(page, "everyday-focus-ring")
    # In the blue top bar the ring is light.
    brand = page.locator("a.brand")
    brand.focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    color = brand.evaluate("e => getComputedStyle(e).outlineColor")
    assert contrast(rgb(color), (0x1D, 0x4E, 0x89)) >= 3


def test_the_lock_keeps_keyboard_focus_and_announces_the_new_state(live_server, page, world):
    from schools.models import Parent

    log_in(page, live_server.url, "/team/login/", "anna@linde.test")
    page.goto(f"{live_server.url}/ouderoverzicht/groep/{world.g3.public_id}/")
    button = page.get_by_role("button", name="Petra Jansen blokkeren")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Petra Jansen is geblokkeerd.")
    focused = page.evaluate("document.activeElement.id")
    assert focused == f"lock-{world.petra.public_id}"
    assert Parent.objects.get(pk=world.petra.pk).is_blocked
    screenshot(page, "everyday-lock-focus")
    page.keyboard.press("Enter")  # the same button, still focused, unblocks
    expect(page.get_by_role("status")).to_have_text("Petra Jansen is weer actief.")
    assert not Parent.objects.get(pk=world.petra.pk).is_blocked


def test_an_htmx_click_after_the_session_ended_shows_the_login_page_whole(live_server, page, world):
    from django.contrib.sessions.models import Session

    log_in(page, live_server.url, "/team/login/", "anna@linde.test")
    page.goto(f"{live_server.url}/ouderoverzicht/groep/{world.g3.public_id}/")
    Session.objects.all().delete()
    page.get_by_role("button", name="Petra Jansen blokkeren").click()
    page.wait_for_url("**/team/login/**")
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.locator("table")).to_have_count(0)
    screenshot(page, "everyday-htmx-session-ended")
