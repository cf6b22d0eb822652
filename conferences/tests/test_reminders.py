"""'Herinnering sturen' for a round: families without a talk, an editable Dutch text, at
most one reminder a family a day (shared with the mailing reminders)."""

import pytest
from django.urls import reverse

from conferences.services import slot_book
from conferences.tests.conftest import slot_at
from mailings.services import mailing_remind
from mailings.tests.helpers import send_to_group
from schools.models import Pupil


@pytest.fixture
def kim(world, make_parent):
    """A second family in Groep 3: Kim Bos with two households (Kees and Karin)."""
    kim = Pupil.objects.create(
        school=world.school, number="1020", first_name="Kim", last_name="Bos", group=world.g3
    )
    make_parent(world.school, "kees@example.nl", pupils=[kim], first_name="Kees")
    make_parent(world.school, "karin@example.nl", pupils=[kim], first_name="Karin")
    return kim


def remind_url(conference):
    return reverse("conferences:round_remind", args=[conference.public_id])


def test_the_text_can_be_read_and_changed_before_it_goes(world, login, make_round, kim, mails):
    conference = make_round()
    slot_book(
        parent=world.petra,
        conference=conference,
        pupil=world.sam,
        slot_id=slot_at(conference, 15, 0).pk,
    )
    client = login(world.anna)
    page = client.get(remind_url(conference)).content.decode()
    assert "De herinnering gaat naar 1 gezin dat nog geen tijd heeft gekozen." in page
    assert "U heeft nog geen tijd gekozen voor het oudergesprek" in page
    with mails as outbox:
        response = client.post(
            remind_url(conference),
            {"subject": "Nog even kiezen", "body": "Beste ouders, kies vóór vrijdag een tijd."},
            follow=True,
        )
    assert "Er gaat een herinnering naar 1 gezin." in response.content.decode()
    assert sorted(m.to[0] for m in outbox) == ["karin@example.nl", "kees@example.nl"]
    assert {m.subject for m in outbox} == {"Nog even kiezen"}
    assert "kies vóór vrijdag" in outbox[0].body
    # An empty subject is refused in Dutch and sends nothing.
    with mails as outbox:
        response = client.post(remind_url(conference), {"subject": "", "body": "x"})
    assert response.status_code == 200 and not outbox


def test_one_reminder_a_family_a_day_whatever_it_is_about(world, login, make_round, kim, mails):
    conference = make_round()
    client = login(world.anna)
    with mails as outbox:
        client.post(remind_url(conference))  # one click: the default text
    assert sorted(m.to[0] for m in outbox) == [
        "karin@example.nl",
        "kees@example.nl",
        "petra@example.nl",
        "quinten@example.nl",
    ]
    with mails as outbox:
        response = client.post(remind_url(conference), follow=True)
    assert not outbox
    assert "2 gezinnen kregen vandaag al een herinnering" in response.content.decode()
    # A mailing's reminder the same day counts too: the family already heard from school.
    mailing = send_to_group(world.anna, world.g3, subject="Schoolreis")
    result = mailing_remind(mailing=mailing)
    assert result.families == 0 and result.already_today == 2


def test_a_blocked_or_booked_parent_gets_no_reminder_and_others_cannot_send_it(
    world, login, make_round, kim, mails
):
    conference = make_round()
    world.petra.is_blocked = True
    world.petra.save()
    slot_book(
        parent=kim.parents.get(first_name="Kees"),
        conference=conference,
        pupil=kim,
        slot_id=slot_at(conference, 15, 0).pk,
    )
    for stranger in (world.bram, world.olaf):
        assert login(stranger).post(remind_url(conference)).status_code == 404
    with mails as outbox:
        login(world.anna).post(remind_url(conference))
    assert [m.to[0] for m in outbox] == ["quinten@example.nl"]
