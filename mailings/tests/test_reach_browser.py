"""A teacher pages through the families of a large mailing in the browser."""

import pytest
from playwright.sync_api import expect

from lib.testing import screenshot
from mailings.tests.helpers import send_to_group
from mailings.tests.test_portal_browser import log_in
from mailings.tests.test_reach import families

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_teacher_pages_through_the_families_of_a_large_mailing(live_server, page, world):
    from schools.models import Group

    group = Group.objects.create(school=world.school, name="Groep 8")
    world.anna.groups.add(group)
    families(world.school, group, 60, 40_000)
    send_to_group(world.anna, group)
    log_in(page, live_server.url, "anna@linde.test", staff=True)
    page.get_by_role("navigation").get_by_role("link", name="Verzonden berichten").click()
    page.locator("table a").first.click()
    expect(page.get_by_role("heading", name="Gelezen door 0 van 60 gezinnen")).to_be_visible()
    more = "… en nog 10 gezinnen; de herinnering gaat naar allemaal."
    expect(page.get_by_text(more)).to_be_visible()
    pager = page.get_by_role("navigation", name="Pagina’s van de ontvangers")
    expect(pager).to_contain_text("Pagina 1 van 2")
    expect(page.locator("tbody.family")).to_have_count(50)
    screenshot(page, "mailings-status-paged")
    pager.get_by_role("link", name="Volgende gezinnen").click()
    expect(pager).to_contain_text("Pagina 2 van 2")
    expect(page.locator("tbody.family")).to_have_count(10)
    expect(page.get_by_role("heading", name="Gelezen door 0 van 60 gezinnen")).to_be_visible()
    pager.get_by_role("link", name="Vorige gezinnen").focus()
    page.keyboard.press("Enter")  # by keyboard back to the first page
    expect(pager).to_contain_text("Pagina 1 van 2")
