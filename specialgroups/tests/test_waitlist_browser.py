"""The waiting list and the lottery in a real browser: a parent on a phone finds a group
full and goes "Op de wachtlijst", and gets the place (and a mail) when a member withdraws;
a parent enters a lottery, and after the end date the teacher draws the places."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from lib.testing import screenshot
from specialgroups.tests.test_browser import PHONE, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_parent_waits_for_a_full_group_and_gets_the_freed_place(
    live_server, browser, world, make_special_group
):
    from specialgroups import services
    from specialgroups.models import Signup

    trip = make_special_group(
        world.school,
        "Schoolreis",
        creator=world.anna,
        activity=True,
        eligible_groups=[world.g3],
        max_participants=1,
    )
    services.signup_create(special_group=trip, parent=world.quinten)

    phone = browser.new_context(viewport=PHONE, is_mobile=True)
    page = phone.new_page()
    log_in(page, live_server.url, "petra@example.nl", staff=False)
    page.goto(live_server.url + "/portaal/speciale-groepen/")
    card = page.get_by_role("region", name="Schoolreis")
    expect(card.get_by_text("Deze groep is vol.")).to_be_visible()
    card.get_by_role("button", name="Op de wachtlijst").click()
    card = page.get_by_role("region", name="Schoolreis")
    expect(card.get_by_text("U staat op de wachtlijst", exact=True)).to_be_visible()
    screenshot(page, "specialgroups-waitlist-phone")

    # The member withdraws before the end date: Petra, first in line, gets the place.
    mail.outbox.clear()
    services.signup_delete(special_group=trip, parent=world.quinten)
    assert list(Signup.objects.filter(special_group=trip).values_list("parent", flat=True)) == [
        world.petra.pk
    ]
    assert [m.to for m in mail.outbox] == [["petra@example.nl"]]
    page.reload()
    card = page.get_by_role("region", name="Schoolreis")
    expect(card.get_by_text("U bent ingeschreven")).to_be_visible()
    screenshot(page, "specialgroups-waitlist-promoted-phone")
    phone.close()


def test_a_parent_enters_the_lottery_and_the_teacher_draws(
    live_server, browser, world, make_special_group, make_parent
):
    from schools.models import Pupil
    from specialgroups import waitlist
    from specialgroups.models import LotteryDraw, Signup, SpecialGroup

    fair = make_special_group(
        world.school,
        "Kerstmarkt",
        creator=world.anna,
        activity=True,
        eligible_groups=[world.g3],
        max_participants=2,
    )
    SpecialGroup.objects.filter(pk=fair.pk).update(lottery=True)
    for i in range(3):
        kid = Pupil.objects.create(
            school=world.school, number=f"L{i}", first_name=f"L{i}", last_name="K", group=world.g3
        )
        waitlist.waitlist_join(
            special_group=fair, parent=make_parent(world.school, f"lot{i}@example.nl", pupils=[kid])
        )

    phone = browser.new_context(viewport=PHONE, is_mobile=True)
    page = phone.new_page()
    log_in(page, live_server.url, "petra@example.nl", staff=False)
    page.goto(live_server.url + "/portaal/speciale-groepen/")
    card = page.get_by_role("region", name="Kerstmarkt")
    card.get_by_role("button", name="Meedoen aan de loting").click()
    card = page.get_by_role("region", name="Kerstmarkt")
    expect(card.get_by_text("U doet mee aan de loting", exact=True)).to_be_visible()
    screenshot(page, "specialgroups-lottery-entered-phone")
    phone.close()

    # The end date passes; the teacher draws the places once.
    SpecialGroup.objects.filter(pk=fair.pk).update(
        signup_deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    teacher = browser.new_context(viewport={"width": 1280, "height": 900})
    page = teacher.new_page()
    log_in(page, live_server.url, "anna@linde.test", staff=True)
    page.goto(live_server.url + f"/speciale-groepen/{fair.public_id}/")
    expect(page.get_by_role("heading", name="Loting")).to_be_visible()
    screenshot(page, "specialgroups-lottery-before-draw")
    mail.outbox.clear()
    page.get_by_role("button", name="Plaatsen verloten").click()
    expect(
        page.get_by_text("Verloot: 2 ingeloot, 2 uitgeloot. Iedereen krijgt een e-mail.")
    ).to_be_visible()
    draw = LotteryDraw.objects.get(special_group=fair)
    expect(page.get_by_text(f"seed {draw.seed}")).to_be_visible()
    expect(page.get_by_role("button", name="Plaatsen verloten")).to_have_count(0)
    expect(page.get_by_text("Uitgeloot (gaan bij de volgende loting")).to_be_visible()
    screenshot(page, "specialgroups-lottery-drawn")
    teacher.close()
    assert Signup.objects.filter(special_group=fair).count() == 2
    assert len(mail.outbox) == 4  # every entrant hears the result
