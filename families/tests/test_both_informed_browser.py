"""What the teacher sees of "both informed": the round's talks and the mailing's status, per
family, in a real browser (screenshots under var/screenshots)."""

from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from lib.testing import assert_accessible, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_teacher_sees_which_guardians_were_informed(live_server, page, world):
    from conferences.services import RoundSettings, round_create, round_publish, slot_book
    from mailings.delivery import outbox_deliver
    from mailings.models import OutgoingMessage
    from mailings.services import mailing_send
    from schools.models import Guardianship, Parent

    rita = Parent.objects.create(school=world.school, email="", first_name="Rita", last_name="Bos")
    Guardianship.objects.create(parent=rita, pupil=world.sam)
    plan = RoundSettings(
        group=world.g3,
        total=3,
        duration_minutes=10,
        per_block=3,
        break_minutes=0,
        start_date=timezone.localdate() + timedelta(days=14),
        start_time=time(15, 0),
        end_time=time(16, 0),
        extra_dates=(),
        closes_at=None,
    )
    conference = round_create(staff=world.anna, plan=plan, accept_fewer=True)
    round_publish(conference=conference)
    slot_book(
        parent=world.quinten,
        conference=conference,
        pupil=world.sam,
        slot_id=conference.slots.first().pk,
    )
    mailing = mailing_send(
        staff=world.anna,
        groups=[world.g3],
        special_groups=[],
        parent_ids=None,
        subject="Schoolreis",
        body="Tekst",
        files=[],
    )
    OutgoingMessage.objects.update(next_attempt_at=timezone.now())
    outbox_deliver()

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/team/login/")
    page.get_by_label("E-mailadres").fill("anna@linde.test")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()

    page.goto(f"{live_server.url}/oudergesprekken/{conference.public_id}/")
    talk = page.locator("ul.informed").first
    expect(talk.get_by_text("Petra Jansen geïnformeerd")).to_be_visible()
    expect(talk.get_by_text("Quinten Jansen geïnformeerd")).to_be_visible()
    expect(talk.get_by_text("Rita Bos geen e-mailadres")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "families-round-informed")

    page.goto(f"{live_server.url}/oudermailing/verzonden/{mailing.public_id}/")
    family = page.locator("tbody.family").first
    expect(family.get_by_role("rowheader", name="Lotte Jansen, Sam Jansen")).to_be_visible()
    expect(
        family.get_by_role("row", name="Rita Bos niet verstuurd geen e-mailadres")
    ).to_be_visible()
    assert_accessible(page)
    screenshot(page, "families-mailing-per-family")
