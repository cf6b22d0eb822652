"""A teacher keeps a message as a draft with its attachment, opens it again, plans it for
tomorrow morning, cancels the plan and plans it again; the worker sends it at that time."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from lib.testing import assert_accessible, screenshot
from mailings.drafts import scheduled_send_due
from mailings.models import Mailing, OutgoingMessage
from mailings.tests.helpers import PDF

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_teacher_saves_plans_cancels_and_plans_a_mailing(live_server, page, world, tmp_path):
    attachment = tmp_path / "Kerstviering.pdf"
    attachment.write_bytes(PDF)
    page.goto(f"{live_server.url}/s/de-linde/")
    page.get_by_role("region", name="Team").get_by_role("link", name="Login").click()
    page.get_by_label("E-mailadres").fill("anna@linde.test")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()

    page.get_by_role("navigation").get_by_role("link", name="Oudermailing").click()
    page.get_by_label("Groep 3").check()
    page.get_by_role("button", name="Bericht maken").click()
    page.get_by_label("Bijlagen").set_input_files(str(attachment))
    page.get_by_label("Onderwerp").fill("Kerstviering")
    page.get_by_role("button", name="Opslaan als concept").click()

    expect(page.get_by_text("Het bericht is opgeslagen bij de concepten.")).to_be_visible()
    row = page.get_by_role("row", name="Kerstviering")
    expect(row.get_by_text("1 bijlage")).to_be_visible()
    row.get_by_role("link", name="Kerstviering").click()

    # The draft opens with its attachment; the message is typed now.
    expect(page.get_by_text("Kerstviering.pdf")).to_be_visible()
    page.get_by_label("Bericht", exact=True).fill(
        "Beste ouders,\n\nDe kerstviering is op 18 december."
    )
    # A time in the past is refused in Dutch, and nothing is planned.
    page.get_by_label("Datum en tijd (Nederlandse tijd)").fill("2020-12-01T08:00")
    page.get_by_role("button", name="Later versturen").click()
    expect(page.get_by_text("is al voorbij")).to_be_visible()
    assert Mailing.objects.get().status == "draft"

    tomorrow = timezone.localtime() + timedelta(days=1)
    page.get_by_label("Datum en tijd (Nederlandse tijd)").fill(tomorrow.strftime("%Y-%m-%dT08:00"))
    assert_accessible(page)
    screenshot(page, "mailings-draft-schedule")
    page.get_by_role("button", name="Later versturen").click()
    expect(page.get_by_text("Het bericht wordt op")).to_be_visible()
    row = page.get_by_role("row", name="Kerstviering")
    expect(row.get_by_text("ingepland voor")).to_be_visible()
    screenshot(page, "mailings-drafts")

    row.get_by_role("button", name="Inplannen annuleren").click()
    expect(page.get_by_text("Het inplannen is geannuleerd")).to_be_visible()
    expect(page.get_by_role("row", name="Kerstviering").get_by_text("concept")).to_be_visible()

    page.get_by_role("row", name="Kerstviering").get_by_role("link", name="Kerstviering").click()
    page.get_by_label("Datum en tijd (Nederlandse tijd)").fill(tomorrow.strftime("%Y-%m-%dT08:00"))
    page.get_by_role("button", name="Later versturen").click()
    expect(
        page.get_by_role("row", name="Kerstviering").get_by_text("ingepland voor")
    ).to_be_visible()

    mailing = Mailing.objects.get()
    assert timezone.localtime(mailing.send_at).hour == 8
    assert scheduled_send_due(now=mailing.send_at) == 1
    recipients = OutgoingMessage.objects.filter(mailing=mailing).values_list("email", flat=True)
    assert sorted(recipients) == ["anna@linde.test", "petra@example.nl", "quinten@example.nl"]
    page.get_by_role("navigation").get_by_role("link", name="Verzonden berichten").click()
    expect(page.get_by_role("row", name="Kerstviering")).to_be_visible()
