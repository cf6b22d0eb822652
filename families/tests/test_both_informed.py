"""Two households, each informed: the teacher's round and the mailing's status show, per
family, which guardians got the booking's confirmation or note and the mailing (delivered,
waiting, failed) and which got nothing and why."""

import re
from datetime import time, timedelta

import pytest
from django.utils import timezone

from mailings.delivery import outbox_deliver
from mailings.models import OutgoingMessage
from schools.models import Guardianship, Parent

pytestmark = pytest.mark.django_db


def make_round(world):
    from conferences.services import RoundSettings, round_create, round_publish

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
    return conference


def states(page: str) -> dict[str, str]:
    """Guardian name → the status chip next to it on the round page."""
    found = re.findall(r"<li>([^<]+?) <span class=\"status [^\"]+\">([^<]+)</span></li>", page)
    return dict(found)


def test_the_round_shows_which_guardians_were_told_of_a_booking(
    world, login, django_capture_on_commit_callbacks
):
    from conferences.services import slot_book

    conference = make_round(world)
    url = f"/oudergesprekken/{conference.public_id}/"
    with django_capture_on_commit_callbacks(execute=True):  # the confirmation task runs
        slot_book(
            parent=world.quinten,
            conference=conference,
            pupil=world.sam,
            slot_id=conference.slots.first().pk,
        )
    client = login(world.anna)
    # The booker's confirmation left at once; the note to the other guardian waits its two
    # minutes (a quick change would replace it).
    assert states(client.get(url).content.decode()) == {
        "Petra Jansen": "bericht in de wachtrij",
        "Quinten Jansen": "geïnformeerd",
    }
    OutgoingMessage.objects.filter(parent=world.petra).update(next_attempt_at=timezone.now())
    outbox_deliver()
    assert states(client.get(url).content.decode()) == {
        "Petra Jansen": "geïnformeerd",
        "Quinten Jansen": "geïnformeerd",
    }
    # One delivery failed for good; a third guardian has no address.
    OutgoingMessage.objects.filter(parent=world.petra).update(status="failed")
    rita = Parent.objects.create(school=world.school, email="", first_name="Rita", last_name="Bos")
    Guardianship.objects.create(parent=rita, pupil=world.sam)
    assert states(client.get(url).content.decode()) == {
        "Petra Jansen": "e-mail mislukt",
        "Quinten Jansen": "geïnformeerd",
        "Rita Bos": "geen e-mailadres",
    }


def test_an_earlier_booking_of_the_same_time_does_not_count(
    world, login, django_capture_on_commit_callbacks
):
    """Mail about a talk the child had at this time before (cancelled, then booked again)
    is not the record of the new booking."""
    from conferences.services import booking_cancel, slot_book

    conference = make_round(world)
    slot_id = conference.slots.first().pk
    with django_capture_on_commit_callbacks(execute=True):
        slot_book(parent=world.quinten, conference=conference, pupil=world.sam, slot_id=slot_id)
    outbox_deliver()
    booking_cancel(parent=world.quinten, conference=conference, pupil=world.sam)
    slot_book(parent=world.petra, conference=conference, pupil=world.sam, slot_id=slot_id)
    page = login(world.anna).get(f"/oudergesprekken/{conference.public_id}/").content.decode()
    assert set(states(page).values()) == {"nog geen bericht"}


def family_rows(page: str) -> dict[str, str]:
    """In the first family's block of the status table: recipient name → its status text."""
    block = page[page.index('<tbody class="family">') :]
    block = block[: block.index("</tbody>")]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", block, re.S):
        cells = [
            re.sub(r"<[^>]+>", " ", c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        cells = [" ".join(c.split()) for c in cells]
        rows[cells[0].split(" ")[0] if len(cells) > 1 else "kinderen"] = (
            " | ".join(cells[1:]) or cells[0]
        )
    return rows


def test_the_mailing_status_lists_each_family_with_every_guardian(world, login):
    from mailings.services import mailing_send

    rita = Parent.objects.create(school=world.school, email="", first_name="Rita", last_name="Bos")
    Guardianship.objects.create(parent=rita, pupil=world.sam)
    mailing = mailing_send(
        staff=world.anna,
        groups=[world.g3],
        special_groups=[],
        parent_ids=None,
        subject="Schoolreis",
        body="Tekst",
        files=[],
    )
    url = f"/oudermailing/verzonden/{mailing.public_id}/"
    client = login(world.anna)
    rows = family_rows(client.get(url).content.decode())
    assert rows["kinderen"] == "Lotte Jansen, Sam Jansen"  # Quinten's children
    assert rows["Petra"].startswith("in de wachtrij")
    assert rows["Quinten"].startswith("in de wachtrij")
    assert rows["Rita"].startswith("niet verstuurd geen e-mailadres")
    outbox_deliver()
    Parent.objects.filter(pk=rita.pk).update(email="rita@example.nl", is_blocked=True)
    rows = family_rows(client.get(url).content.decode())
    assert rows["Petra"].startswith("verzonden") and rows["Quinten"].startswith("verzonden")
    assert rows["Rita"].startswith("niet verstuurd geblokkeerd")


def test_a_restricted_guardian_is_not_listed_with_the_family(world, login):
    from families.restrictions import restriction_add
    from mailings.services import mailing_send

    restriction_add(
        parent=world.quinten, pupil=world.sam, reason="Rechter", staff=world.dirk, request=None
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
    page = login(world.anna).get(f"/oudermailing/verzonden/{mailing.public_id}/").content.decode()
    assert "Quinten" not in page
