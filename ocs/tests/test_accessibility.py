"""axe-core (WCAG 2.1 A and AA) on the main page of each chapter, for staff on a desktop
and for parents on a phone. Any violation fails the test with axe's own description.

The first test proves the check can fail: a page with known violations must be reported."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from conftest import PASSWORD
from lib.testing import assert_accessible, axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 375, "height": 740}


def log_in(page, base, path, email):
    page.goto(base + path)
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()


def test_the_check_reports_a_deliberately_broken_page(page):
    page.set_content(
        """<!doctype html><html><head><title>Kapot</title></head><body>
        <img src="data:," width="10" height="10">
        <p style="color:#bbb;background:#fff">nauwelijks leesbaar</p>
        <input type="text" name="naamloos">
        <a href="#"></a>
        </body></html>"""
    )
    found = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "color-contrast", "label", "html-has-lang", "link-name"} <= found
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)


@pytest.fixture
def chapters(world):
    """A round, a special group and a mailing, so every chapter's page has content."""
    from conferences.services import RoundSettings, round_create, round_publish
    from mailings.tests.helpers import send_to_group
    from specialgroups.models import SpecialGroup

    day = timezone.localdate() + timedelta(days=10)
    conference = round_create(
        staff=world.anna,
        plan=RoundSettings(
            group=world.g3,
            total=4,
            duration_minutes=10,
            per_block=4,
            break_minutes=0,
            start_date=day,
            start_time=time(15, 0),
            end_time=time(16, 0),
        ),
    )
    round_publish(conference=conference)
    special = SpecialGroup.objects.create(
        school=world.school,
        name="Voorleesouders",
        description="Voorlezen op dinsdag",
        signup_deadline=day,
        max_participants=5,
        has_activity=True,
    )
    special.eligible_groups.set([world.g3])
    mailing = send_to_group(world.anna, world.g3, subject="Schoolreis", body="Beste ouders")
    return {"round": conference, "special": special, "mailing": mailing}


def test_staff_chapters_have_no_wcag_violations(live_server, page, world, chapters):
    base = live_server.url
    log_in(page, base, "/team/login/", "bea@linde.test")
    paths = [
        "/leerkracht/",
        "/ouderoverzicht/",
        f"/ouderoverzicht/groep/{world.g3.public_id}/",
        f"/ouderoverzicht/ouder/{world.petra.public_id}/",
        f"/ouderoverzicht/ouder/{world.petra.public_id}/bewerken/",
        "/speciale-groepen/",
        f"/speciale-groepen/{chapters['special'].public_id}/",
        "/oudermailing/",
        "/oudermailing/verzonden/",
        f"/oudermailing/verzonden/{chapters['mailing'].public_id}/",
        "/oudergesprekken/",
        "/oudergesprekken/nieuw/",
        f"/oudergesprekken/{chapters['round'].public_id}/",
        "/beheer/logboek/",
        "/beheer/avg/",
        "/beheer/import/",
        "/beheer/uitnodigingen/",
        "/account/beveiliging/",
        "/privacy/",
    ]
    for path in paths:
        page.goto(base + path)
        assert_accessible(page)
    screenshot(page, "a11y-staff-last")


def test_parent_pages_on_a_phone_have_no_wcag_violations(live_server, browser, world, chapters):
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    page = context.new_page()
    base = live_server.url
    for path in ["/", "/s/de-linde/", "/ouders/login/", "/wachtwoord-vergeten/"]:
        page.goto(base + path)
        assert_accessible(page)
    log_in(page, base, "/ouders/login/", "quinten@example.nl")
    for path in [
        "/portaal/",
        "/portaal/oudergesprekken/",
        "/portaal/speciale-groepen/",
        "/account/beveiliging/",
        "/privacy/",
    ]:
        page.goto(base + path)
        assert_accessible(page)
    context.close()
