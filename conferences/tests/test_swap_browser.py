"""The swap flow in a real browser: after the plan went out, a parent asks on a phone for
another free time of the same teacher; the teacher approves on the period's page; the
talk moves and the family gets the new time by mail. The teacher's plan shows the wishes
(interpreter, child joins, longer talk over two times)."""

from datetime import time, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from conferences.tests.test_period_browser import PHONE, log_in
from lib.testing import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_parent_asks_to_swap_and_the_teacher_approves(live_server, browser, world):
    from conferences import periods, planning
    from conferences.models import ConferencePeriod, Slot, SwapRequest

    period = periods.period_create(
        staff=world.dirk,
        plan=periods.PeriodSettings(
            name="Najaarsgesprekken",
            mode=ConferencePeriod.Mode.PREFERENCE,
            groups=(world.g3, world.g4),
            duration_minutes=10,
            per_block=6,
            break_minutes=10,
            start_date=timezone.localdate() + timedelta(days=10),
            start_time=time(15, 0),
            end_time=time(17, 0),
            walk_minutes=5,
            spare=9,
        ),
    )
    periods.period_open(period=period)
    planning.wishes_save(
        parent=world.quinten,
        period=period,
        windows=[],
        children=[
            planning.ChildChoice(pupil_id=world.lotte.pk, longer=True),
            planning.ChildChoice(pupil_id=world.sam.pk, interpreter=True, child_joins=True),
        ],
    )
    ConferencePeriod.objects.filter(pk=period.pk).update(
        closes_at=timezone.now() - timedelta(minutes=1)
    )
    period.refresh_from_db()
    planning.period_plan(period=period, time_limit=5)
    planning.period_publish(period=period)
    sam = Slot.objects.get(pupil=world.sam)
    old = sam.starts_at
    lotte = list(Slot.objects.filter(pupil=world.lotte).order_by("starts_at"))
    walk = timedelta(minutes=5)
    target = next(
        s
        for s in Slot.objects.filter(round=sam.round, pupil__isnull=True).order_by("-starts_at")
        if s.starts_at >= lotte[-1].ends_at + walk or s.ends_at + walk <= lotte[0].starts_at
    )

    phone = browser.new_context(viewport=PHONE, is_mobile=True)
    page = phone.new_page()
    log_in(page, live_server.url, "/ouders/login/", "quinten@example.nl")
    page.goto(live_server.url + f"/portaal/oudergesprekken/periode/{period.public_id}/")
    expect(page.get_by_role("heading", name="Uw gesprekken")).to_be_visible()
    page.locator(f"#swap-{sam.pk}").select_option(str(target.pk))
    page.locator(f"#swap-{sam.pk}").locator("xpath=..").get_by_role(
        "button", name="Ruilen aanvragen"
    ).click()
    expect(page.get_by_text("Uw verzoek is naar de leerkracht gestuurd.")).to_be_visible()
    expect(page.get_by_text("wacht op de leerkracht")).to_be_visible()
    screenshot(page, "swap-asked-phone")
    phone.close()
    assert Slot.objects.get(pupil=world.sam).pk == sam.pk  # nothing moves before approval

    teacher = browser.new_context()
    page = teacher.new_page()
    log_in(page, live_server.url, "/team/login/", "anna@linde.test")
    page.goto(live_server.url + f"/oudergesprekken/perioden/{period.public_id}/")
    expect(page.get_by_role("heading", name="Ruilverzoeken")).to_be_visible()
    expect(page.get_by_text("tolk nodig, kind komt mee").first).to_be_visible()
    screenshot(page, "swap-teacher-requests")
    mail.outbox.clear()
    page.get_by_role("button", name="Goedkeuren").click()
    expect(
        page.get_by_text("Het gesprek is verplaatst; het gezin krijgt de nieuwe tijd.")
    ).to_be_visible()
    expect(page.get_by_text("Geen open ruilverzoeken.")).to_be_visible()
    screenshot(page, "swap-teacher-approved")
    teacher.close()

    assert Slot.objects.get(pupil=world.sam).pk == target.pk
    assert SwapRequest.objects.get().status == SwapRequest.Status.APPROVED
    to = sorted(m.to[0] for m in mail.outbox)
    # Sam's shared talk: both guardians get the new time and the .ics.
    assert to == ["petra@example.nl", "quinten@example.nl"]
    local = timezone.localtime(old).strftime("%H:%M")
    assert all("Vervalt" in m.body and local in m.body for m in mail.outbox)
