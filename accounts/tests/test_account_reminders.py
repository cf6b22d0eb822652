"""'Herinnering sturen' to parents who have not activated their account: a fresh invitation
with the school's (editable) text, at most one reminder a family a day, shared with the
mailing reminders."""

from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from audit.sentences import describe
from mailings.services import mailing_remind
from mailings.tests.helpers import send_to_group

URL = reverse("accounts:invitations")


def test_the_reminder_carries_the_edited_text_and_goes_once_a_day(
    client, world, login, make_parent, sent
):
    fresh = make_parent(world.school, "fresh@example.nl", pupils=[world.lotte], with_login=False)
    login(world.bea)
    page = client.get(URL).text
    assert "U heeft uw account voor OCS nog niet geactiveerd." in page
    with sent as outbox:
        response = client.post(
            URL,
            {"target": "reminder", "note": "Activeer vóór de ouderavond uw account."},
            follow=True,
        )
    assert "Er gaat een herinnering naar 1 gezin." in response.text
    reminders = [m for m in outbox if m.to == ["fresh@example.nl"]]
    assert len(reminders) == 1
    assert "Activeer vóór de ouderavond uw account." in reminders[0].body
    assert "/uitnodiging/" in reminders[0].body
    fresh.refresh_from_db()
    assert fresh.user is None
    event = AuditEvent.objects.get(object_type="reminder")
    assert describe([event], reader=world.dirk) == [
        "Bea Docent heeft 1 ouders herinnerd aan het activeren van hun account."
    ]
    # Again today: nothing goes, and the beheerder is told why.
    with sent as outbox:
        response = client.post(URL, {"target": "reminder", "note": "x"}, follow=True)
    assert not outbox
    assert "1 gezin kreeg vandaag al een herinnering" in response.text


def test_a_family_reminded_about_a_mailing_today_gets_no_account_reminder(
    client, world, login, make_parent, sent
):
    # Quinten (activated) and a new guardian of Lotte share a family with Petra through Sam.
    make_parent(world.school, "fresh@example.nl", pupils=[world.lotte], with_login=False)
    mailing = send_to_group(world.bram, world.g4, subject="Gymles")
    assert mailing_remind(mailing=mailing).families == 1
    login(world.bea)
    with sent as outbox:
        response = client.post(URL, {"target": "reminder", "note": ""}, follow=True)
    assert not [m for m in outbox if "/uitnodiging/" in m.body]
    assert "kreeg vandaag al een herinnering" in response.text


def test_only_the_beheerder_sends_account_reminders(client, world, login, make_parent):
    make_parent(world.school, "fresh@example.nl", pupils=[world.lotte], with_login=False)
    mail.outbox.clear()
    for persona in (world.anna, world.dirk, world.petra):
        login(persona)
        assert client.post(URL, {"target": "reminder", "note": "x"}).status_code == 403
    assert not AuditEvent.objects.filter(object_type="reminder").exists()
