"""Periods in a real browser: a family with three children plans all talks at once on a
phone; a teacher reviews a preference-mode plan, moves a talk and sends the plan."""

from datetime import time, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from lib.testing import screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


def log_in(page, base, path, email):
    page.goto(base + path)
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def _period(world, mode, groups):
    from conferences import periods

    plan = periods.PeriodSettings(
        name="Najaarsgesprekken",
        mode=mode,
        groups=tuple(groups),
        duration_minutes=10,
        per_block=6,
        break_minutes=10,
        start_date=timezone.localdate() + timedelta(days=10),
        start_time=time(15, 0),
        end_time=time(17, 0),
        walk_minutes=5,
        spare=4,
    )
    period = periods.period_create(staff=world.dirk, plan=plan)
    periods.period_open(period=period)
    return period


def test_a_family_with_three_children_plans_everything_at_once_on_a_phone(
    live_server, browser, world, make_staff
):
    from conferences.models import ConferencePeriod, Slot
    from schools.models import Group, Guardianship, Pupil

    g5 = Group.objects.create(school=world.school, name="Groep 5")
    make_staff(world.school, "carla@linde.test", groups=[g5], first_name="Carla")
    noor = Pupil.objects.create(
        school=world.school, number="1003", first_name="Noor", last_name="Jansen", group=g5
    )
    Guardianship.objects.create(parent=world.quinten, pupil=noor)
    _period(world, ConferencePeriod.Mode.FIRST_COME, [world.g3, world.g4, g5])

    phone = browser.new_context(viewport=PHONE, is_mobile=True)
    page = phone.new_page()
    log_in(page, live_server.url, "/ouders/login/", "quinten@example.nl")
    page.get_by_role("link", name="Naar de gesprekken").click()
    expect(page.get_by_role("heading", name="Najaarsgesprekken")).to_be_visible()
    screenshot(page, "period-family-phone")
    page.get_by_role("button", name="Plan alles aansluitend").click()
    expect(page.get_by_text("Voorstel: controleer de tijden")).to_be_visible()
    screenshot(page, "period-family-proposal-phone")
    mail.outbox.clear()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Opgeslagen: 3 gesprekken")).to_be_visible()
    screenshot(page, "period-family-booked-phone")
    talks = sorted(
        Slot.objects.filter(pupil__in=[world.sam, world.lotte, noor]), key=lambda s: s.starts_at
    )
    assert len(talks) == 3
    # Back to back: each next talk starts at the first time after 10 minutes plus the walk.
    gaps = [b.starts_at - a.ends_at for a, b in zip(talks, talks[1:], strict=False)]
    assert all(timedelta(minutes=5) <= gap <= timedelta(minutes=10) for gap in gaps)
    phone.close()


def test_a_teacher_reviews_moves_and_sends_a_plan(live_server, page, world, first_day):
    from conferences.models import ConferencePeriod, Slot

    period = _period(world, ConferencePeriod.Mode.PREFERENCE, [world.g3, world.g4])
    ConferencePeriod.objects.filter(pk=period.pk).update(
        closes_at=timezone.now() - timedelta(minutes=1)
    )
    log_in(page, live_server.url, "/team/login/", "dirk@linde.test")
    page.goto(live_server.url + f"/oudergesprekken/perioden/{period.public_id}/")
    page.get_by_role("button", name="Plan alle gesprekken").click()
    expect(page.get_by_text("De planning is klaar: 2 gesprekken gepland, 0 niet.")).to_be_visible()
    screenshot(page, "period-review")
    lotte = Slot.objects.get(pupil=world.lotte)
    target = Slot.objects.filter(round=lotte.round, pupil__isnull=True).order_by("-starts_at")[0]
    page.locator(f"#to-{lotte.pk}").select_option(str(target.pk))
    page.locator(f"#to-{lotte.pk}").locator("xpath=..").get_by_role(
        "button", name="Verplaats"
    ).click()
    expect(page.get_by_text("Het gesprek is verplaatst.")).to_be_visible()
    assert Slot.objects.get(pupil=world.lotte).pk == target.pk
    mail.outbox.clear()
    page.get_by_role("button", name="Planning versturen naar alle ouders").click()
    expect(page.get_by_text("De planning is verstuurd naar 2 ouders.")).to_be_visible()
    screenshot(page, "period-review-sent")
